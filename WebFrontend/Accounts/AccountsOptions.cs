using OrbitGrains.Accounts;
using OrbitGrains.Hosting;

namespace OrbitGrains.WebFrontend.Accounts;

public enum AuthMode
{
    Basic,
    Passkey,
}

/// <summary>Who may create an account (REGISTRATION).</summary>
public enum RegistrationMode
{
    /// <summary>Anyone: safe because a new account is a member, who reaches only their own things.</summary>
    Open,

    /// <summary>Only with a single-use invite code an admin created (`invite` in the sign-up body).</summary>
    Invite,

    /// <summary>Nobody signs up: accounts are created by admins (`POST /api/admin/users`).</summary>
    Closed,
}

/// <summary>
/// Settings of the Accounts family, read once at start-up under the seed's environment variable names and validated
/// there, so a bad value stops the host with a message instead of failing a sign-in later.
/// </summary>
public sealed record AccountsOptions
{
    public AuthMode Mode { get; init; } = AuthMode.Basic;
    public TimeSpan AccessTtl { get; init; } = TimeSpan.FromSeconds(3600);
    public TimeSpan RefreshTtl { get; init; } = TimeSpan.FromSeconds(604800);
    public TimeSpan DeviceCodeTtl { get; init; } = TimeSpan.FromSeconds(600);
    public TimeSpan DevicePollInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Null: the front end's own /device page, from the request's scheme and host.</summary>
    public Uri? DeviceVerificationUrl { get; init; }

    public TimeSpan AnchorAccessTtl { get; init; } = TimeSpan.FromSeconds(86400);
    public TimeSpan AnchorRefreshTtl { get; init; } = TimeSpan.FromSeconds(2592000);

    public RegistrationMode Registration { get; init; } = RegistrationMode.Open;

    /// <summary>
    /// ADMIN_USERS is no longer honoured (it gave admin to whoever registered a listed name first); the first admin is
    /// promoted with the admin token through `PUT /api/admin/users/{id}/roles`. True when it is still set, so start-up warns.
    /// </summary>
    public bool AdminUsersIgnored { get; init; }

    /// <summary>Accounts, device codes and passkey ceremonies one address may start anonymously per window.</summary>
    public FailureLimit CreationsPerAddress { get; init; } = new(30, TimeSpan.FromMinutes(10));

    public FailureLimit LoginFailuresPerName { get; init; } = new(10, TimeSpan.FromMinutes(5));
    public FailureLimit LoginFailuresPerAddress { get; init; } = new(100, TimeSpan.FromMinutes(5));

    private const int MaxSeconds = 10 * 366 * 86400;

    public static AccountsOptions Load(IConfiguration configuration)
    {
        var window = Seconds(configuration, "LOGIN_FAILURE_WINDOW_SEC", 300);
        return new AccountsOptions
        {
            Mode = ParseMode(configuration),
            AccessTtl = Seconds(configuration, "ACCESS_TTL_SEC", 3600),
            RefreshTtl = Seconds(configuration, "REFRESH_TTL_SEC", 604800),
            DeviceCodeTtl = Seconds(configuration, "DEVICE_CODE_TTL_SEC", 600),
            DevicePollInterval = Seconds(configuration, "DEVICE_CODE_POLL_INTERVAL_SEC", 5),
            DeviceVerificationUrl = VerificationUrl(configuration),
            AnchorAccessTtl = Seconds(configuration, "ANCHOR_ACCESS_TTL_SEC", 86400),
            AnchorRefreshTtl = Seconds(configuration, "ANCHOR_REFRESH_TTL_SEC", 2592000),
            Registration = ParseRegistration(configuration),
            AdminUsersIgnored = Text(configuration, "ADMIN_USERS") is not null,
            CreationsPerAddress = new FailureLimit(
                Count(configuration, "ANONYMOUS_CREATIONS_PER_ADDRESS", 30), Seconds(configuration, "ANONYMOUS_CREATION_WINDOW_SEC", 600)),
            LoginFailuresPerName = new FailureLimit(Count(configuration, "LOGIN_MAX_FAILURES", 10), window),
            LoginFailuresPerAddress = new FailureLimit(Count(configuration, "LOGIN_MAX_FAILURES_PER_ADDRESS", 100), window),
        };
    }

    private static AuthMode ParseMode(IConfiguration configuration) => Text(configuration, "AUTH_MODE")?.ToLowerInvariant() switch
    {
        null or "basic" => AuthMode.Basic,
        "passkey" => AuthMode.Passkey,
        var other => throw new OrbitConfigurationException($"AUTH_MODE='{other}' is not an auth mode. Use 'basic' (the default) or 'passkey'."),
    };

    private static RegistrationMode ParseRegistration(IConfiguration configuration) => Text(configuration, "REGISTRATION")?.ToLowerInvariant() switch
    {
        null or "open" => RegistrationMode.Open,
        "invite" => RegistrationMode.Invite,
        "closed" => RegistrationMode.Closed,
        var other => throw new OrbitConfigurationException($"REGISTRATION='{other}' is not a sign-up policy. Use 'open' (the default), 'invite' or 'closed'."),
    };

    private static TimeSpan Seconds(IConfiguration configuration, string key, int fallback)
    {
        var text = Text(configuration, key);
        if (text is null)
        {
            return TimeSpan.FromSeconds(fallback);
        }

        return int.TryParse(text, out var seconds) && seconds is > 0 and <= MaxSeconds
            ? TimeSpan.FromSeconds(seconds)
            : throw new OrbitConfigurationException($"{key}='{text}' is not a number of seconds (1-{MaxSeconds}).");
    }

    private static int Count(IConfiguration configuration, string key, int fallback)
    {
        var text = Text(configuration, key);
        if (text is null)
        {
            return fallback;
        }

        return int.TryParse(text, out var count) && count is > 0 and <= 1_000_000
            ? count
            : throw new OrbitConfigurationException($"{key}='{text}' is not a positive whole number.");
    }

    private static Uri? VerificationUrl(IConfiguration configuration)
    {
        var text = Text(configuration, "DEVICE_VERIFICATION_URL");
        if (text is null)
        {
            return null;
        }

        return Uri.TryCreate(text, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp)
            ? url
            : throw new OrbitConfigurationException(
                $"DEVICE_VERIFICATION_URL='{text}' is not an absolute http(s) URL (for example https://app.example.com/device).");
    }

    private static string? Text(IConfiguration configuration, string key) =>
        configuration[key] is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;
}
