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
}
