using OrbitGrains.Hosting;
using OrbitGrains.WebFrontend.Hosting;

namespace OrbitGrains.WebFrontend.Rooms;

/// <summary>
/// Signaling settings, read once at start-up under the original's variable names (AUTH_TOKENS, TURN_URL, ...).
/// Weak static tokens are refused outside Development, like the admin token.
/// </summary>
public sealed class RoomsOptions
{
    public const string DevelopmentToken = "demo_token_123";

    /// <summary>Static tokens (AUTH_TOKENS, comma list) that connect as operator and may log in for a room token.</summary>
    public IReadOnlyList<string> StaticTokens { get; init; } = [];

    /// <summary>Lifetime of a room token from /api/login (ROOM_TOKEN_TTL_SEC).</summary>
    public TimeSpan RoomTokenTtl { get; init; } = TimeSpan.FromSeconds(900);

    /// <summary>Largest text frame a participant may send (ROOM_MAX_MESSAGE_BYTES); bigger ones get an error frame, then 1009.</summary>
    public int MaxMessageBytes { get; init; } = 64 * 1024;

    /// <summary>Sustained messages per second per participant (ROOM_MESSAGES_PER_SECOND), twice that as burst; over it: error frame, then 1008.</summary>
    public int MessagesPerSecond { get; init; } = 200;

    /// <summary>Bytes queued for one socket before it is judged too slow and closed (ROOM_MAX_QUEUED_BYTES).</summary>
    public long MaxQueuedBytes { get; init; } = 4L * 1024 * 1024;

    /// <summary>How long a hub's claim on its sockets lasts without renewal (ROOM_HUB_LEASE_SEC).</summary>
    public TimeSpan HubLease { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Room sockets one address may open per second (ROOM_CONNECTS_PER_SECOND_PER_ADDRESS), twice that as burst; over it: 429.</summary>
    public int ConnectsPerSecondPerAddress { get; init; } = 50;

    /// <summary>Messages per second from all sockets of one address (ROOM_MESSAGES_PER_SECOND_PER_ADDRESS), twice that as burst.</summary>
    public int MessagesPerSecondPerAddress { get; init; } = 5000;

    /// <summary>Messages per second from all sockets using one token (ROOM_MESSAGES_PER_SECOND_PER_TOKEN), twice that as burst.</summary>
    public int MessagesPerSecondPerToken { get; init; } = 1000;

    /// <summary>Failed authentications are audited as one count per address per this window (ROOM_AUTH_AUDIT_WINDOW_SEC).</summary>
    public TimeSpan AuthAuditWindow { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a socket without ?token= may take to send its {"token": ...} message.</summary>
    public TimeSpan AuthMessageTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public TurnOptions Turn { get; init; } = new();

    public static RoomsOptions FromConfiguration(IConfiguration configuration, bool isDevelopment) => new()
    {
        StaticTokens = StaticTokensFrom(configuration["AUTH_TOKENS"], isDevelopment),
        RoomTokenTtl = TimeSpan.FromSeconds(Read(configuration, "ROOM_TOKEN_TTL_SEC", 900, 1, 86_400)),
        MaxMessageBytes = Read(configuration, "ROOM_MAX_MESSAGE_BYTES", 64 * 1024, 1024, 16 * 1024 * 1024),
        MessagesPerSecond = Read(configuration, "ROOM_MESSAGES_PER_SECOND", 200, 1, 1_000_000),
        MaxQueuedBytes = Read(configuration, "ROOM_MAX_QUEUED_BYTES", 4 * 1024 * 1024, 64 * 1024, int.MaxValue),
        HubLease = TimeSpan.FromSeconds(Read(configuration, "ROOM_HUB_LEASE_SEC", 15, 1, 3600)),
        ConnectsPerSecondPerAddress = Read(configuration, "ROOM_CONNECTS_PER_SECOND_PER_ADDRESS", 50, 1, 1_000_000),
        MessagesPerSecondPerAddress = Read(configuration, "ROOM_MESSAGES_PER_SECOND_PER_ADDRESS", 5000, 1, 10_000_000),
        MessagesPerSecondPerToken = Read(configuration, "ROOM_MESSAGES_PER_SECOND_PER_TOKEN", 1000, 1, 10_000_000),
        AuthAuditWindow = TimeSpan.FromSeconds(Read(configuration, "ROOM_AUTH_AUDIT_WINDOW_SEC", 60, 1, 3600)),
        Turn = TurnOptions.FromConfiguration(configuration),
    };

    private static string[] StaticTokensFrom(string? configured, bool isDevelopment)
    {
        if (configured is null)
        {
            // The original's demo default, kept only where nobody else can reach it.
            return isDevelopment ? [DevelopmentToken] : [];
        }

        var tokens = configured.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).ToArray();
        if (!isDevelopment)
        {
            foreach (var token in tokens)
            {
                if (WeakSecrets.Reason(token) is { } reason)
                {
                    throw new OrbitConfigurationException(
                        $"AUTH_TOKENS holds a token refused outside Development because {reason}. Use random values of at least " +
                        $"{WeakSecrets.MinimumLength} characters (for example: openssl rand -base64 48), or unset AUTH_TOKENS to allow no static tokens.");
                }
            }
        }

        return tokens;
    }

    internal static int Read(IConfiguration configuration, string key, int fallback, int min, int max)
    {
        var text = configuration[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }

        return int.TryParse(text, out var value) && value >= min && value <= max
            ? value
            : throw new OrbitConfigurationException($"{key}='{text}' must be a whole number from {min} to {max}.");
    }
}
