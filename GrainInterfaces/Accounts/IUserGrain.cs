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

    /// <summary>Adds a passkey, or replaces the one with the same credential id (e.g. its new sign count).</summary>
    [Alias("AddOrUpdatePasskey")]
    Task<bool> AddOrUpdatePasskey(PasskeyRecord passkey);

    [Alias("Passkeys")]
    Task<PasskeyRecord[]> Passkeys();

    /// <summary>Makes a token hash the user's one active user token; returns the hash it replaced, if any.</summary>
    [Alias("SwapUserToken")]
    Task<string?> SwapUserToken(string? tokenHash);
}

[GenerateSerializer, Immutable, Alias("OrbitGrains.Accounts.NewUser")]
public sealed record NewUser(
    [property: Id(0)] string Name,
    [property: Id(1)] string DisplayName,
    [property: Id(2)] string? PasswordHash,
    [property: Id(3)] IReadOnlyList<string> Roles);

[GenerateSerializer, Immutable, Alias("OrbitGrains.Accounts.UserRecord")]
public sealed record UserRecord(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] string DisplayName,
    [property: Id(3)] string? PasswordHash,
    [property: Id(4)] IReadOnlyList<string> Roles,
    [property: Id(5)] DateTimeOffset CreatedAt,
    [property: Id(6)] bool HasPasskey);
