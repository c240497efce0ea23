namespace OrbitGrains.Accounts;

/// <summary>An Anchor's access or refresh token, keyed by the SHA-256 hex of the token.</summary>
[Alias("OrbitGrains.Accounts.IAnchorTokenGrain")]
public interface IAnchorTokenGrain : IGrainWithStringKey
{
    [Alias("Issue")]
    Task Issue(AnchorTokenIssue issue);

    /// <summary>The issue of a live access token; null for anything else (refresh tokens included).</summary>
    [Alias("ValidateAccessToken")]
    Task<AnchorTokenIssue?> ValidateAccess();

    /// <summary>
    /// Spends a live refresh token stored before refresh tokens carried their family and generation, and revokes its
    /// access token. Null when unknown, expired, not a refresh token, or its family is revoked; a token spent before
    /// revokes its whole family. New refresh tokens are spent at their <see cref="ITokenFamilyGrain"/>.
    /// </summary>
    [Alias("Redeem")]
    Task<AnchorTokenIssue?> Redeem();

    [Alias("Revoke")]
    Task Revoke();
}

public enum AnchorTokenKind
{
    Access,
    Refresh,
}

/// <param name="PeerHash">For a refresh token, the hash of the access token issued with it.</param>
/// <param name="IssuedAt">Null only for tokens stored before it was recorded.</param>
/// <param name="FamilyId">The device-code sign-in the token descends from; null only for tokens stored before families existed.</param>
[GenerateSerializer, Immutable, Alias("OrbitGrains.Accounts.AnchorTokenIssue")]
public sealed record AnchorTokenIssue(
    [property: Id(0)] AnchorTokenKind Kind,
    [property: Id(1)] string UserId,
    [property: Id(2)] DateTimeOffset ExpiresAt,
    [property: Id(3)] string? PeerHash,
    [property: Id(4)] string? FamilyId,
    [property: Id(5)] DateTimeOffset? IssuedAt = null);
