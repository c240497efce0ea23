namespace OrbitGrains.Accounts;

/// <summary>
/// One sign-in and everything grown from it by refreshing: a web sign-in's sessions, or a device-code sign-in's anchor
/// tokens. Keyed by a random id that the family's refresh tokens carry, with the family's generation. The family keeps
/// the hash of its current refresh token only: a refresh advances the generation, so a spent token needs no row of
/// its own to be recognised when it comes back. Logout, disabling the account, or a spent refresh token presented
/// after the grace window (a sign of theft) ends the whole chain at once.
/// </summary>
[Alias("OrbitGrains.Accounts.ITokenFamilyGrain")]
public interface ITokenFamilyGrain : IGrainWithStringKey
{
    /// <summary>
    /// Starts the chain at generation 1 (or restarts one adopted from a token issued before generations existed).
    /// False, and <paramref name="start"/>'s members revoked, when the family has already been revoked or is a live
    /// family of another <see cref="TokenFamilyKind"/>.
    /// </summary>
    [Alias("Start")]
    Task<bool> Start(FamilyStart start);

    /// <summary>
    /// Spends the presented refresh token for the successor the caller prepared (whose members already exist).
    /// The same token presented again within <see cref="FamilyRotation.GraceWindow"/> gets the same successor back;
    /// later, or any older generation, revokes the family. A rotation of another <see cref="TokenFamilyKind"/> than
    /// the family's is refused and changes nothing but revoking the successor it brought.
    /// </summary>
    [Alias("Rotate")]
    Task<RotateOutcome> Rotate(FamilyRotation rotation);

    /// <summary>
    /// True while the family exists, has not expired and has not been revoked, and (with <paramref name="notBefore"/>,
    /// the account's <see cref="UserRecord.CredentialsNotBefore"/>) began at or after that instant.
    /// </summary>
    [Alias("IsLive")]
    Task<bool> IsLive(DateTimeOffset? notBefore);

    [Alias("RevokeAll")]
    Task RevokeAll();
}

/// <summary>
/// Which credential a family's refresh tokens renew, and so which refresh routes may spend them: a web session's at
/// `/auth/refresh` and `/api/auth/refresh`, an Anchor's at `/auth/device/refresh`. No member is 0, so a message or row
/// that does not carry a kind never matches one.
/// </summary>
public enum TokenFamilyKind
{
    /// <summary>A web sign-in: its members are <see cref="FamilyMemberKind.Session"/>s.</summary>
    Web = 1,

    /// <summary>A device-code sign-in of an Anchor: its members are <see cref="FamilyMemberKind.AnchorToken"/>s.</summary>
    Anchor = 2,
}

public enum FamilyMemberKind
{
    /// <summary>An <see cref="ISessionGrain"/>, by session id.</summary>
    Session,

    /// <summary>An <see cref="IAnchorTokenGrain"/>, by token hash.</summary>
    AnchorToken,
}

[GenerateSerializer, Immutable, Alias("OrbitGrains.Accounts.FamilyMember")]
public sealed record FamilyMember(
    [property: Id(0)] FamilyMemberKind Kind,
    [property: Id(1)] string Key,
    [property: Id(2)] DateTimeOffset ExpiresAt);

/// <param name="RefreshHash">SHA-256 hex of the generation-1 refresh token.</param>
/// <param name="Members">What the sign-in issued besides the refresh token (a session, an anchor access token).</param>
/// <param name="RefreshExpiresAt">The refresh token's expiry: the family lives at least this long.</param>
/// <param name="Kind">What the family's refresh tokens renew; stored, and required of every rotation.</param>
[GenerateSerializer, Immutable, Alias("OrbitGrains.Accounts.FamilyStart")]
public sealed record FamilyStart(
    [property: Id(0)] string UserId,
    [property: Id(1)] string RefreshHash,
    [property: Id(2)] FamilyMember[] Members,
    [property: Id(3)] DateTimeOffset RefreshExpiresAt,
    [property: Id(4)] TokenFamilyKind Kind);

/// <param name="PresentedGeneration">The generation the presented refresh token carries.</param>
/// <param name="PresentedHash">SHA-256 hex of the presented refresh token.</param>
/// <param name="NextHash">SHA-256 hex of the successor's refresh token (generation + 1).</param>
/// <param name="NextMembers">The successor's session or access token, already created by the caller.</param>
/// <param name="Replay">What the caller answers with; handed back to a duplicate of this refresh within the window.
/// Kept in memory only, never stored.</param>
/// <param name="NotBefore">The account's <see cref="UserRecord.CredentialsNotBefore"/>: a family begun earlier is dead.</param>
/// <param name="Kind">The kind of the route the token was presented to: only a family of this kind rotates.</param>
[GenerateSerializer, Immutable, Alias("OrbitGrains.Accounts.FamilyRotation")]
public sealed record FamilyRotation(
    [property: Id(0)] int PresentedGeneration,
    [property: Id(1)] string PresentedHash,
    [property: Id(2)] string NextHash,
    [property: Id(3)] FamilyMember[] NextMembers,
    [property: Id(4)] DateTimeOffset RefreshExpiresAt,
    [property: Id(5)] string Replay,
    [property: Id(6)] DateTimeOffset? NotBefore,
    [property: Id(7)] TokenFamilyKind Kind)
{
    /// <summary>How long two requests carrying the same refresh token (two tabs) both get the one successor.</summary>
    public static readonly TimeSpan GraceWindow = TimeSpan.FromSeconds(30);
}

public enum RotateStatus
{
    /// <summary>The successor was accepted: the presented generation is spent and its members revoked.</summary>
    Rotated,

    /// <summary>A duplicate within the grace window: <see cref="RotateOutcome.Replay"/> is the successor already given.</summary>
    Replayed,

    /// <summary>Unknown, expired or revoked family, a family of another kind, or a reused token (the family is now revoked).</summary>
    Refused,
}

[GenerateSerializer, Immutable, Alias("OrbitGrains.Accounts.RotateOutcome")]
public sealed record RotateOutcome(
    [property: Id(0)] RotateStatus Status,
    [property: Id(1)] string? Replay);
