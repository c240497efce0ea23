using OrbitGrains.Hosting;

namespace OrbitGrains.WebFrontend.Accounts.Passkeys;

/// <summary>
/// Relying-party settings (PASSKEY_ORIGIN, PASSKEY_RP_ID, CORS_ORIGINS, CHALLENGE_TTL_SEC), validated at start-up.
/// Every passkey request must come from an allowed origin: PASSKEY_ORIGIN or one listed by name in CORS_ORIGINS
/// (a `*` there opens CORS for the API but never the passkey origin check).
/// </summary>
public sealed record PasskeyOptions
{
    public const string DefaultOrigin = "http://localhost:8080";

    public required string RelyingPartyId { get; init; }

    public required IReadOnlySet<string> AllowedOrigins { get; init; }

    public TimeSpan ChallengeTtl { get; init; } = TimeSpan.FromSeconds(300);

    public bool IsAllowed(string? origin) =>
        origin is { Length: > 0 and <= 512 } && AllowedOrigins.Contains(origin.TrimEnd('/'));

    public static PasskeyOptions Load(IConfiguration configuration)
    {
        var originText = configuration["PASSKEY_ORIGIN"] is { Length: > 0 } configured ? configured.Trim() : DefaultOrigin;
        if (!Uri.TryCreate(originText, UriKind.Absolute, out var origin) || (origin.Scheme != Uri.UriSchemeHttps && origin.Scheme != Uri.UriSchemeHttp))
        {
            throw new OrbitConfigurationException($"PASSKEY_ORIGIN='{originText}' is not an http(s) origin such as https://app.example.com.");
        }

        var rpId = configuration["PASSKEY_RP_ID"] is { Length: > 0 } id ? id.Trim() : origin.Host;
        if (!origin.Host.Equals(rpId, StringComparison.OrdinalIgnoreCase) && !origin.Host.EndsWith("." + rpId, StringComparison.OrdinalIgnoreCase))
        {
            throw new OrbitConfigurationException($"PASSKEY_RP_ID='{rpId}' must be the host of PASSKEY_ORIGIN or a parent domain of it.");
        }

        var cors = (configuration["CORS_ORIGINS"] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var ttlText = configuration["CHALLENGE_TTL_SEC"];
        var ttl = 300;
        if (!string.IsNullOrWhiteSpace(ttlText) && (!int.TryParse(ttlText, out ttl) || ttl is < 10 or > 3600))
        {
            throw new OrbitConfigurationException($"CHALLENGE_TTL_SEC='{ttlText}' must be a number of seconds from 10 to 3600.");
        }

        return new PasskeyOptions
        {
            RelyingPartyId = rpId,
            AllowedOrigins = cors.Where(o => o != "*").Append(originText).Select(o => o.TrimEnd('/')).ToHashSet(StringComparer.Ordinal),
            ChallengeTtl = TimeSpan.FromSeconds(ttl),
        };
    }
}
