namespace OrbitGrains.Accounts;

/// <summary>
/// One sign-up invite (REGISTRATION=invite), keyed by the SHA-256 hex of its code; the code itself is shown once to
/// the admin who created it and never stored. Single use, expiring.
/// </summary>
[Alias("OrbitGrains.Accounts.IInviteGrain")]
public interface IInviteGrain : IGrainWithStringKey
{
    [Alias("Create")]
    Task Create(InviteRecord invite);

    /// <summary>True while the invite exists, is unused and has not expired (a passkey sign-up checks before its ceremony).</summary>
    [Alias("IsUsable")]
    Task<bool> IsUsable();

    /// <summary>Uses the invite up for <paramref name="userId"/>; false when it is unknown, used, revoked or expired.</summary>
    [Alias("Redeem")]
    Task<bool> Redeem(string userId);

    /// <summary>Undoes <see cref="Redeem"/> by that same user (the account could not be created after all).</summary>
    [Alias("Restore")]
    Task Restore(string userId);

    [Alias("Get")]
    Task<InviteRecord?> Get();

    [Alias("Revoke")]
    Task Revoke();
}

/// <param name="Id">The public handle admins list and delete by (a prefix of the code's hash).</param>
[GenerateSerializer, Immutable, Alias("OrbitGrains.Accounts.InviteRecord")]
public sealed record InviteRecord(
    [property: Id(0)] string Id,
    [property: Id(1)] DateTimeOffset CreatedAt,
    [property: Id(2)] DateTimeOffset ExpiresAt,
    [property: Id(3)] string CreatedBy,
    [property: Id(4)] string? Note,
    [property: Id(5)] string? UsedBy = null,
    [property: Id(6)] DateTimeOffset? UsedAt = null);

/// <summary>The invites admins have created, for listing and deleting by id; keyed <see cref="Key"/>.</summary>
[Alias("OrbitGrains.Accounts.IInviteIndexGrain")]
public interface IInviteIndexGrain : IGrainWithStringKey
{
    public const string Key = "invites";

    /// <summary>Most invites kept listed at once; creating more first forgets expired ones, then refuses.</summary>
    public const int MaxInvites = 1000;

    /// <summary>False when the index is full of live invites.</summary>
    [Alias("Add")]
    Task<bool> Add(string id, string codeHash, DateTimeOffset expiresAt);

    /// <summary>The code hash of an invite id, or null.</summary>
    [Alias("Find")]
    Task<string?> Find(string id);

    [Alias("Remove")]
    Task Remove(string id);

    /// <summary>Code hashes of listed invites, newest first.</summary>
    [Alias("All")]
    Task<string[]> All();
}
