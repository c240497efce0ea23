using Orleans.Concurrency;

namespace OrbitGrains.Accounts;

/// <summary>
/// A front end that holds open sockets of a user, or has the user's sign-ins cached, as that user's grain sees it: told
/// at once when the account changes (roles, disabled, passkeys) or one of its sign-ins or sessions ends, so what it
/// holds follows without waiting for a periodic check.
/// </summary>
/// <remarks>
/// The account's grain awaits <see cref="UserChanged"/>, <see cref="FamilyRevoked"/> and <see cref="SessionEnded"/>
/// (each watcher within a few seconds), so a revocation answered to its caller has reached every live front end: a
/// front end that caches sign-ins relies on it. Implementations only update memory and never call a grain back.
/// </remarks>
[Alias("OrbitGrains.Accounts.IAccountWatch")]
public interface IAccountWatch : IGrainObserver
{
    /// <summary>The account changed (roles, disabled flag, passkeys); <paramref name="user"/> is the account as it is now.</summary>
    [Alias("UserChanged")]
    Task UserChanged(UserRecord user);

    /// <summary>Every token of one sign-in (a token family) was revoked: logout, disable, or a refresh token used twice.</summary>
    [Alias("FamilyRevoked")]
    Task FamilyRevoked(string userId, string familyId);

    /// <summary>One web session (an access token's <c>jti</c>) ended on its own, e.g. replaced by a refresh.</summary>
    [Alias("SessionEnded")]
    Task SessionEnded(string userId, string sessionId);

    /// <summary>
    /// The account's activation is going away and forgets its watchers: a front end that still needs the watch
    /// registers again (the next activation starts with none).
    /// </summary>
    [OneWay, Alias("WatchEnded")]
    Task WatchEnded(string userId);
}
