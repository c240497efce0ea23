using OrbitGrains.Accounts;

namespace OrbitGrains.WebFrontend.Hosting.Access;

/// <summary>
/// The caller's access for as long as a long-lived request (an event stream, a proxy socket) stays open: authorisation
/// is decided when the request comes, and this ends the request when that decision stops holding. <see cref="Ended"/>
/// fires, with <see cref="Reason"/>, when the account is disabled or signed out everywhere, when it no longer meets the
/// route's rule (an operator role revoked), when the sign-in the request was opened with ends (logout, a reused refresh
/// token), or when a credential without a sign-in (a replaced user token) stops validating.
/// </summary>
/// <remarks>
/// The account's notices (<see cref="AccountSockets"/>, the same watch the relay and room sockets use) make the common
/// cases immediate; <see cref="SignInWatch"/> checks again every <see cref="Revalidate"/> for what sends no notice.
/// A caller naming no person (the admin token, a room token) has nothing to watch, and its lease never ends.
/// </remarks>
public sealed class AccessLease : IAccountSocket, IDisposable
{
    /// <summary>How often the sign-in behind an open request is checked again besides the account's notices.</summary>
    public static readonly TimeSpan Revalidate = TimeSpan.FromSeconds(60);

    private readonly CancellationTokenSource _ended = new();
    private readonly DateTimeOffset _openedAt;
    private readonly Func<UserRecord, bool> _allows;
    private Action? _release;
    private IDisposable? _tracked;
    private SignInWatch? _watch;
    private string? _reason;

    private AccessLease(string? familyId, DateTimeOffset openedAt, Func<UserRecord, bool>? allows, Action? release)
    {
        (FamilyId, _openedAt, _allows, _release) = (familyId, openedAt, allows ?? (static _ => true), release);
    }

    /// <summary>Cancelled (on a thread-pool thread) when the caller's access ends; never by the request itself ending.</summary>
    public CancellationToken Ended => _ended.Token;

    /// <summary>Why the access ended ("Account disabled", "Signed out", "Access revoked", "Session ended"); null while it holds.</summary>
    public string? Reason => Volatile.Read(ref _reason);

    public string? FamilyId { get; }

    /// <summary>
    /// Starts watching the access of <paramref name="user"/>, authenticated on <paramref name="http"/>, until the lease
    /// is disposed. <paramref name="allows"/> is the route's rule on the account as it changes (default: any account
    /// that is not disabled). The account's watch is in place when this returns, and the access is checked once more
    /// then, so a change between authentication and the watch is not missed. Throws what the account grains threw
    /// (<see cref="TimeoutException"/>, <see cref="OrleansException"/>) when the watch could not be checked.
    /// <paramref name="release"/> runs once when the lease is disposed. Requests start theirs through <see cref="AccessLeases"/>.
    /// </summary>
    internal static async Task<AccessLease> StartAsync(HttpContext http, CurrentUser user, Func<UserRecord, bool>? allows, Action? release)
    {
        var services = http.RequestServices;
        var lease = new AccessLease(user.FamilyId, services.GetRequiredService<TimeProvider>().GetUtcNow(), allows, release);
        if (user.Id is not { } userId)
        {
            return lease;
        }

        try
        {
            await lease.WatchAsync(http, user, userId);
        }
        catch
        {
            lease.Dispose();
            throw;
        }

        return lease;
    }

    private async Task WatchAsync(HttpContext http, CurrentUser user, string userId)
    {
        var services = http.RequestServices;
        _tracked = await services.GetRequiredService<AccountSockets>().TrackAsync(userId, this);
        // A single-use credential (a ticket) is not read again: SignInChecks checks its sign-in or account instead.
        var credential = RequestCredential.Token(http.Request) ?? "";
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger<AccessLease>();
        _watch = SignInWatch.Start(http, user, credential, Revalidate, () => End("Session ended"), logger);
        if (!await services.GetRequiredService<SignInChecks>().IsLiveAsync(http, user, credential))
        {
            End("Session ended");
        }
        else if (await services.GetRequiredService<IGrainFactory>().GetGrain<IUserGrain>(userId).Get() is { } account)
        {
            OnAccountChanged(account);
        }
    }

    public void OnAccountChanged(UserRecord user)
    {
        if (user.Disabled)
        {
            End("Account disabled");
        }
        else if (!user.Accepts(_openedAt))
        {
            End("Signed out");
        }
        else if (!_allows(user))
        {
            End("Access revoked");
        }
    }

    public void OnSignInEnded() => End("Session ended");

    public void Dispose()
    {
        _watch?.Dispose();
        _tracked?.Dispose();
        Interlocked.Exchange(ref _release, null)?.Invoke();
    }

    private void End(string reason)
    {
        if (Interlocked.CompareExchange(ref _reason, reason, null) is null)
        {
            // Asynchronously: the notices arrive on the account grain's call, which must not run the request's closing.
            _ = _ended.CancelAsync();
        }
    }
}
