namespace OrbitGrains.WebFrontend.Sockets;

/// <summary>What one socket of a family may cost, and how that family words its refusals.</summary>
public sealed record SocketLimits(
    int MaxFrameBytes,
    long MaxQueuedBytes,
    int MessagesPerSecond,
    Func<string, string, string> ErrorFrame)
{
    /// <summary>Close at the first message over the rate (rooms) instead of after a sustained excess (relay).</summary>
    public bool CloseOnFirstRateViolation { get; init; }

    /// <summary>Send an error frame before closing 1009 for an oversized frame.</summary>
    public bool ExplainTooLarge { get; init; }

    /// <summary>
    /// Make a peer over the rate wait (its messages are read more slowly, so TCP slows it down) instead of refusing
    /// them: for authenticated peers whose bursts are a user's work (an anchor streaming 3,000 output deltas), where a
    /// limit exists to protect the node, not to drop messages.
    /// </summary>
    public bool PaceBursts { get; init; }

    /// <summary>
    /// The node-wide allowance that bytes of messages being read and handled are taken from beyond the first 4 KiB
    /// of each; null for no node-wide bound beyond <see cref="MaxFrameBytes"/> per socket.
    /// </summary>
    public ByteBudget? NodeBudget { get; init; }

    /// <summary>How long a message may wait for its share of <see cref="NodeBudget"/> before the socket is closed 1013 (try again later).</summary>
    public TimeSpan NodeBudgetWait { get; init; } = TimeSpan.FromSeconds(10);
}
