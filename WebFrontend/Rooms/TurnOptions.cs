using OrbitGrains.Hosting;

namespace OrbitGrains.WebFrontend.Rooms;

/// <summary>TURN/STUN servers handed to participants (TURN_URL or TURN_URLS, TURN_SECRET, TURN_TTL_SEC, STUN_URLS).</summary>
public sealed class TurnOptions
{
    public IReadOnlyList<string> TurnUrls { get; init; } = [];

    public IReadOnlyList<string> StunUrls { get; init; } = [];

    /// <summary>The secret shared with the TURN server (REST API / use-auth-secret); never logged, never sent.</summary>
    public byte[]? Secret { get; init; }

    public TimeSpan Ttl { get; init; } = TimeSpan.FromHours(1);

    public static TurnOptions FromConfiguration(IConfiguration configuration)
    {
        var turn = List(configuration["TURN_URLS"] ?? configuration["TURN_URL"]);
        var secret = configuration["TURN_SECRET"];
        if (turn.Length > 0 && string.IsNullOrWhiteSpace(secret))
        {
            throw new OrbitConfigurationException("TURN_URL is set but TURN_SECRET is not: set the TURN server's shared secret (static-auth-secret).");
        }

        var bad = turn.FirstOrDefault(u => !u.StartsWith("turn:", StringComparison.OrdinalIgnoreCase) && !u.StartsWith("turns:", StringComparison.OrdinalIgnoreCase));
        if (bad is not null)
        {
            throw new OrbitConfigurationException($"TURN_URL entry '{bad}' must start with turn: or turns:.");
        }

        return new TurnOptions
        {
            TurnUrls = turn,
            StunUrls = List(configuration["STUN_URLS"]),
            Secret = string.IsNullOrWhiteSpace(secret) ? null : System.Text.Encoding.UTF8.GetBytes(secret.Trim()),
            Ttl = TimeSpan.FromSeconds(RoomsOptions.Read(configuration, "TURN_TTL_SEC", 3600, 60, 7 * 86_400)),
        };
    }

    private static string[] List(string? text) =>
        text?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) ?? [];
}
