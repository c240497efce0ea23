using OrbitGrains.WebFrontend.Sockets;

namespace OrbitGrains.WebFrontend.Relay;

/// <summary>Limits of relay sockets; every one bounds memory or CPU a single peer can take.</summary>
public sealed class RelayOptions
{
    /// <summary>
    /// Largest message accepted (RELAY_MAX_FRAME_BYTES, default 16 MiB as the original relay: the web client sends
    /// images up to 15 MB inline, and an anchor answers image reads as data URLs); bigger ones close the socket with 1009.
    /// </summary>
    public int MaxFrameBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>
    /// Bytes queued for one socket before it is judged too slow and closed (RELAY_MAX_QUEUED_BYTES, default 32 MiB:
    /// two of the largest messages). A single larger message still goes to a socket whose queue is empty.
    /// </summary>
    public long MaxQueuedBytes { get; set; } = 32L * 1024 * 1024;

    /// <summary>
    /// Sustained messages per second one socket is read at (RELAY_MESSAGES_PER_SECOND), with twice that as burst.
    /// A faster peer is read more slowly (TCP backpressure), never disconnected for it.
    /// </summary>
    public int MessagesPerSecond { get; set; } = 500;

    /// <summary>
    /// Bytes that all relay sockets of this node may hold at once for messages larger than 4 KiB while they are read
    /// and handled (RELAY_INBOUND_BUDGET_BYTES, default 256 MiB, at least <see cref="MaxFrameBytes"/>). A socket that
    /// must wait more than 10 s for its share is closed 1013 (try again later).
    /// </summary>
    public ByteBudget InboundBudget { get; private set; } = new(256L * 1024 * 1024);

    /// <summary>How long a hub's claim on its sockets lasts without renewal; a dead silo's anchors go offline after it.</summary>
    public TimeSpan HubLease { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How often an open socket's token is checked again (RELAY_REVALIDATE_SEC): a logout, refresh or revocation
    /// closes the socket (4401) within this time, and the client reconnects with its current token.
    /// </summary>
    public TimeSpan Revalidate { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The limits every relay socket runs with, made once (on first use, after configuration is read) and shared, so
    /// an idle socket does not carry a copy of its own.
    /// </summary>
    public SocketLimits SocketLimits => _socketLimits ??=
        new(MaxFrameBytes, MaxQueuedBytes, MessagesPerSecond, (_, message) => OrbitGrains.Relay.RelayFrames.InvalidFrame(message))
        {
            PaceBursts = true,
            NodeBudget = InboundBudget,
        };

    private SocketLimits? _socketLimits;

    public static RelayOptions FromConfiguration(IConfiguration configuration)
    {
        var options = new RelayOptions();
        options.MaxFrameBytes = Read(configuration, "RELAY_MAX_FRAME_BYTES", options.MaxFrameBytes, 1024, 64 * 1024 * 1024);
        options.MaxQueuedBytes = Read(configuration, "RELAY_MAX_QUEUED_BYTES", (int)options.MaxQueuedBytes, 64 * 1024, int.MaxValue);
        options.MessagesPerSecond = Read(configuration, "RELAY_MESSAGES_PER_SECOND", options.MessagesPerSecond, 1, 1_000_000);
        options.InboundBudget = new ByteBudget(Read(configuration, "RELAY_INBOUND_BUDGET_BYTES", (int)options.InboundBudget.Capacity, options.MaxFrameBytes, int.MaxValue));
        options.HubLease = TimeSpan.FromSeconds(Read(configuration, "RELAY_HUB_LEASE_SEC", (int)options.HubLease.TotalSeconds, 1, 3600));
        options.Revalidate = TimeSpan.FromSeconds(Read(configuration, "RELAY_REVALIDATE_SEC", (int)options.Revalidate.TotalSeconds, 1, 86400));
        return options;
    }

    private static int Read(IConfiguration configuration, string key, int fallback, int min, int max)
    {
        var text = configuration[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }

        return int.TryParse(text, out var value) && value >= min && value <= max
            ? value
            : throw new OrbitGrains.Hosting.OrbitConfigurationException($"{key}='{text}' must be a whole number from {min} to {max}.");
    }
}
