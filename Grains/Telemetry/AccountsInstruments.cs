using System.Diagnostics.Metrics;

namespace OrbitGrains.Telemetry;

/// <summary>
/// Sign-ins with a secret (password, a device's user code). Failures are the checked attempts that did not succeed:
/// <c>orbitgrains_accounts_signin_attempts_total{outcome="checked"} - orbitgrains_accounts_signins_total</c>.
/// </summary>
public sealed class AccountsInstruments
{
    /// <summary>Tag value of <see cref="Password"/> sign-ins (name or email and password).</summary>
    public const string Password = "password";

    /// <summary>Tag value of a user code typed to approve a device (RFC 8628).</summary>
    public const string UserCode = "user_code";

    private readonly Counter<long> _attempts;
    private readonly Counter<long> _signIns;

    internal AccountsInstruments(Meter meter)
    {
        _attempts = meter.CreateCounter<long>("orbitgrains.accounts.signin.attempts", "{attempt}",
            "Sign-in attempts by credential (password, user_code) and outcome: checked, or throttled (429) before any check.");
        _signIns = meter.CreateCounter<long>("orbitgrains.accounts.signins", "{sign_in}",
            "Sign-ins whose secret was right, by credential.");
    }

    public void Attempted(string credential, bool throttled) => _attempts.Add(1,
        new KeyValuePair<string, object?>("credential", credential),
        new KeyValuePair<string, object?>("outcome", throttled ? "throttled" : "checked"));

    public void SignedIn(string credential) => _signIns.Add(1, new KeyValuePair<string, object?>("credential", credential));
}
