using Orleans.Concurrency;

namespace OrbitGrains.Accounts;

/// <summary>
/// A front end that holds open sockets of a user, as that user's grain sees it: told at once when the account
/// changes (roles, disabled) or one of its sign-ins ends, so the sockets it holds follow without waiting for their
/// next periodic check.
/// </summary>
[Alias("OrbitGrains.Accounts.IAccountWatch")]
public interface IAccountWatch : IGrainObserver
{
    /// <summary>The account's roles or its disabled flag changed; <paramref name="user"/> is the account as it is now.</summary>
    [OneWay, Alias("UserChanged")]
    Task UserChanged(UserRecord user);

    /// <summary>Every token of one sign-in (a token family) was revoked: logout, disable, or a refresh token used twice.</summary>
    [OneWay, Alias("FamilyRevoked")]
    Task FamilyRevoked(string userId, string familyId);
}
