namespace OrbitGrains.Accounts;

/// <summary>
/// The chain of anchor token pairs that grew from one device-code sign-in by refreshing, keyed by a random id given
/// at that sign-in. An anchor refresh token used twice (a sign of theft) ends the whole chain at once.
/// </summary>
[Alias("OrbitGrains.Accounts.IAnchorTokenFamilyGrain")]
public interface IAnchorTokenFamilyGrain : IGrainWithStringKey
{
    /// <summary>
    /// Adds an access token (by its hash), keeping the family at least until <paramref name="keepUntil"/> (its newest
    /// refresh token's expiry). False, and the access and refresh tokens revoked, when the family has already been revoked.
    /// </summary>
    [Alias("Add")]
    Task<bool> Add(string accessHash, DateTimeOffset accessExpiresAt, string refreshHash, DateTimeOffset keepUntil);

    [Alias("IsRevoked")]
    Task<bool> IsRevoked();

    [Alias("RevokeAll")]
    Task RevokeAll();
}
