using OrbitGrains.Accounts;

namespace OrbitGrains.WebFrontend.Accounts;

/// <summary>
/// Failed basic sign-ins counted per name and per client address in rate-limit grains, so the limit holds however many
/// front ends an attacker spreads the attempts over.
/// </summary>
public sealed class LoginThrottle(IGrainFactory grains, AccountsOptions options)
{
    /// <summary>How long the caller must wait before trying again; zero when it may try now.</summary>
    public async Task<TimeSpan> RetryAfterAsync(string name, HttpContext context)
    {
        var waits = await Task.WhenAll(
            NameBucket(name).RetryAfter(options.LoginFailuresPerName),
            AddressBucket(context).RetryAfter(options.LoginFailuresPerAddress));
        return waits.Max();
    }

    /// <summary>
    /// When the caller must wait: sets `Retry-After` and returns the message to answer with; null when it may try now.
    /// </summary>
    public async Task<string?> RefusalAsync(string name, HttpContext context)
    {
        var wait = await RetryAfterAsync(name, context);
        if (wait <= TimeSpan.Zero)
        {
            return null;
        }

        var seconds = (int)Math.Ceiling(wait.TotalSeconds);
        context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return $"Too many attempts. Try again in {seconds} seconds.";
    }

    public Task RecordFailureAsync(string name, HttpContext context) => Task.WhenAll(
        NameBucket(name).RecordFailure(options.LoginFailuresPerName),
        AddressBucket(context).RecordFailure(options.LoginFailuresPerAddress));

    // Lower-cased, because the login itself falls back to a case-insensitive match.
    private IFailureCounterGrain NameBucket(string name) =>
        grains.GetGrain<IFailureCounterGrain>("login-name:" + name.ToLowerInvariant());

    private IFailureCounterGrain AddressBucket(HttpContext context) =>
        grains.GetGrain<IFailureCounterGrain>("login-address:" + (context.Connection.RemoteIpAddress?.ToString() ?? "unknown"));
}
