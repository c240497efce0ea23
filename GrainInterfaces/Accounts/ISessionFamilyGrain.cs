namespace OrbitGrains.Accounts;

/// <summary>
/// The chain of sessions that grew from one sign-in by refreshing. Logout, or a refresh token used twice
/// (a sign of theft), ends the whole chain at once.
/// </summary>
[Alias("OrbitGrains.Accounts.ISessionFamilyGrain")]
public interface ISessionFamilyGrain : IGrainWithStringKey
{
    /// <summary>
    /// Adds a session, keeping the family at least until <paramref name="keepUntil"/> (its newest refresh token's expiry).
    /// False, and the session revoked, when the family has already been revoked.
    /// </summary>
    [Alias("Add")]
    Task<bool> Add(string sessionId, DateTimeOffset sessionExpiresAt, DateTimeOffset keepUntil);

    [Alias("IsRevoked")]
    Task<bool> IsRevoked();

    [Alias("RevokeAll")]
    Task RevokeAll();
}
