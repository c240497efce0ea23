namespace OrbitGrains.Accounts;

/// <summary>One person's account, keyed by user id. The name is claimed first through <see cref="IUserNameGrain"/>.</summary>
[Alias("OrbitGrains.Accounts.IUserGrain")]
public interface IUserGrain : IGrainWithStringKey
{
    /// <summary>Creates the account once; false when this id already holds one.</summary>
    [Alias("Create")]
    Task<bool> Create(NewUser user);

    [Alias("Get")]
    Task<UserRecord?> Get();

    /// <summary>Adds a passkey, or replaces the one with the same credential id; false when there is no account or it has 32.</summary>
    [Alias("AddOrUpdatePasskey")]
    Task<bool> AddOrUpdatePasskey(PasskeyRecord passkey);

    [Alias("Passkeys")]
    Task<PasskeyRecord[]> Passkeys();

    /// <summary>
    /// Records a verified sign-in with one of the passkeys: its authenticator's new <paramref name="signCount"/> and
    /// backup state. Compare and set, in one turn: recorded only when the count is past the stored one, or both are 0
    /// (an authenticator without a counter; WebAuthn §6.1.1 and §7.2 step 21). False otherwise (a cloned
    /// authenticator, or a parallel sign-in with the same count that was recorded first) and when the passkey is gone.
    /// </summary>
    [Alias("RecordSignIn")]
    Task<bool> RecordSignIn(byte[] credentialId, uint signCount, bool isBackedUp);

    /// <summary>Makes a token hash the user's one active user token; returns the hash it replaced, if any.</summary>
    [Alias("SwapUserToken")]
    Task<string?> SwapUserToken(string? tokenHash);

    /// <summary>
    /// Replaces the granted roles (a subset of <see cref="AccountRoles.Grantable"/>); null when the account does not
    /// exist. Watching front ends hear of it at once.
    /// </summary>
    [Alias("SetRoles")]
    Task<UserRecord?> SetRoles(string[] roles);

    /// <summary>
    /// Disables (or enables again) the account; null when it does not exist. Disabling ends every session, refresh
    /// token, anchor token and user token issued before now, and watching front ends close the user's sockets.
    /// </summary>
    [Alias("SetDisabled")]
    Task<UserRecord?> SetDisabled(bool disabled);

    /// <summary>Tells this account's watchers that one of its token families was revoked; returns once they know.</summary>
    [Alias("FamilyRevoked")]
    Task FamilyRevoked(string familyId);

    /// <summary>Tells this account's watchers that one of its web sessions ended; returns once they know.</summary>
    [Alias("SessionEnded")]
    Task SessionEnded(string sessionId);

    /// <summary>
    /// Registers (or renews) a front end's watch for <paramref name="lease"/>; a watch that is not renewed lapses, so
    /// a front end that died is forgotten.
    /// </summary>
    [Alias("Watch")]
    Task Watch(IAccountWatch watcher, TimeSpan lease);

    [Alias("Unwatch")]
    Task Unwatch(IAccountWatch watcher);
}

/// <param name="Roles">Granted roles only (<see cref="AccountRoles.Grantable"/>); every account is a member.</param>
/// <param name="Passkey">
/// The passkey an account signed up with, written in the same state as the account: no one ever sees an account that
/// signed up with a passkey without it. Its credential id is claimed (<see cref="IPasskeyCredentialGrain"/>) first.
/// </param>
[GenerateSerializer, Immutable, Alias("OrbitGrains.Accounts.NewUser")]
public sealed record NewUser(
    [property: Id(0)] string Name,
    [property: Id(1)] string DisplayName,
    [property: Id(2)] string? PasswordHash,
    [property: Id(3)] IReadOnlyList<string> Roles,
    [property: Id(4)] PasskeyRecord? Passkey = null);

/// <param name="Roles">Granted roles (<see cref="AccountRoles.Grantable"/>); membership is implied.</param>
/// <param name="Disabled">A disabled account cannot sign in and none of its credentials authenticate.</param>
/// <param name="CredentialsNotBefore">Credentials issued before this instant are dead (set when the account is disabled).</param>
[GenerateSerializer, Immutable, Alias("OrbitGrains.Accounts.UserRecord")]
public sealed record UserRecord(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] string DisplayName,
    [property: Id(3)] string? PasswordHash,
    [property: Id(4)] IReadOnlyList<string> Roles,
    [property: Id(5)] DateTimeOffset CreatedAt,
    [property: Id(6)] bool HasPasskey,
    [property: Id(7)] bool Disabled = false,
    [property: Id(8)] DateTimeOffset? CredentialsNotBefore = null)
{
    /// <summary>Whether a credential issued at <paramref name="issuedAt"/> may still speak for this account.</summary>
    public bool Accepts(DateTimeOffset issuedAt) => !Disabled && (CredentialsNotBefore is not { } notBefore || issuedAt >= notBefore);
}
