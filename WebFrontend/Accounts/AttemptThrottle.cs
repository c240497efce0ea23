using System.Globalization;
using OrbitGrains.Accounts;
using OrbitGrains.Telemetry;

namespace OrbitGrains.WebFrontend.Accounts;

/// <summary>
/// One attempt that holds a slot in each of its buckets. Taken before anything is checked, so parallel guesses never
/// check more than a bucket allows; <see cref="SucceededAsync"/> gives the slots back, a failure keeps them.
/// </summary>
public sealed class Attempt
{
    private readonly (IFailureCounterGrain Bucket, long Id)[] _slots;
    private readonly Action? _succeeded;

    internal Attempt((IFailureCounterGrain Bucket, long Id)[] slots, string? refusal, Action? succeeded = null)
    {
        _slots = slots;
        Refusal = refusal;
        _succeeded = succeeded;
    }

    /// <summary>The message to answer with (429, `Retry-After` already set) when the attempt may not be made now.</summary>
    public string? Refusal { get; }

    /// <summary>The attempt succeeded: it does not count against the caller.</summary>
    public Task SucceededAsync()
    {
        _succeeded?.Invoke();
        return Task.WhenAll(_slots.Select(s => s.Bucket.Refund(s.Id)));
    }
}

/// <summary>
/// Cluster-wide limits on guessing and on anonymous creation, in failure-counter grains keyed by what is limited (a
/// name, a user, the client address as forwarded-header handling resolved it): wrong passwords per name and per
/// address, wrong user codes at `/auth/device/authorise` per user and per address (RFC 8628 §5.1), and anonymous
/// creations (sign-ups, device codes, passkey ceremonies) per address.
/// </summary>
public sealed class AttemptThrottle(IGrainFactory grains, AccountsOptions options, OrbitMeter meter)
{
    /// <summary>A sign-in: counted per name (any case, as the lookup ignores case) and per address.</summary>
    public Task<Attempt> SignInAsync(string name, HttpContext context) => ReserveAsync(context, AccountsInstruments.Password,
        ("login-name:" + UserNames.Key(name), options.LoginFailuresPerName),
        ("login-address:" + Address(context), options.LoginFailuresPerAddress));

    /// <summary>A user code typed to approve a device: counted per user and per address.</summary>
    public Task<Attempt> UserCodeAsync(string userId, HttpContext context) => ReserveAsync(context, AccountsInstruments.UserCode,
        ("user-code-user:" + userId, options.LoginFailuresPerName),
        ("user-code-address:" + Address(context), options.LoginFailuresPerAddress));

    /// <summary>Something created by a caller not signed in (an account, a device code, a passkey ceremony): never refunded.</summary>
    public Task<Attempt> CreationAsync(HttpContext context) =>
        ReserveAsync(context, null, ("create-address:" + Address(context), options.CreationsPerAddress));

    /// <param name="credential">The sign-in credential counted on the product's meter; null for creations, which are not sign-ins.</param>
    private async Task<Attempt> ReserveAsync(HttpContext context, string? credential, params (string Key, FailureLimit Limit)[] buckets)
    {
        var taken = await Task.WhenAll(buckets.Select(async b =>
        {
            var bucket = grains.GetGrain<IFailureCounterGrain>(b.Key);
            return (Bucket: bucket, Reservation: await bucket.Reserve(b.Limit));
        }));
        var granted = taken.Where(t => t.Reservation.Allowed).Select(t => (t.Bucket, t.Reservation.Id)).ToArray();
        if (credential is not null)
        {
            meter.Accounts.Attempted(credential, throttled: granted.Length != taken.Length);
        }

        if (granted.Length == taken.Length)
        {
            return new Attempt(granted, null, credential is null ? null : () => meter.Accounts.SignedIn(credential));
        }

        // Refused by one bucket: the slots the others gave are handed back, the attempt is not made.
        await Task.WhenAll(granted.Select(g => g.Bucket.Refund(g.Id)));
        var wait = taken.Where(t => !t.Reservation.Allowed).Max(t => t.Reservation.RetryAfter);
        var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return new Attempt([], $"Too many attempts. Try again in {seconds} seconds.");
    }

    private static string Address(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
}
