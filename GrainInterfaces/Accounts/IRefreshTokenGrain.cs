namespace OrbitGrains.Accounts;

/// <summary>
/// A web refresh token stored before refresh tokens carried their family and generation, keyed by the SHA-256 hex of
/// the token. No new ones are written: they are redeemed once more into a family's chain (<see cref="ITokenFamilyGrain"/>).
/// </summary>
[Alias("OrbitGrains.Accounts.IRefreshTokenGrain")]
public interface IRefreshTokenGrain : IGrainWithStringKey
{
    [Alias("Issue")]
    Task Issue(RefreshTokenIssue issue);

    /// <summary>
    /// Spends the token and revokes the session it belonged to. Null when unknown, expired, or its family is revoked;
    /// a token spent before revokes its whole family.
    /// </summary>
    [Alias("Redeem")]
    Task<RefreshTokenIssue?> Redeem();
}

[GenerateSerializer, Immutable, Alias("OrbitGrains.Accounts.RefreshTokenIssue")]
public sealed record RefreshTokenIssue(
    [property: Id(0)] string UserId,
    [property: Id(1)] string SessionId,
    [property: Id(2)] string FamilyId,
    [property: Id(3)] DateTimeOffset ExpiresAt);
