namespace OrbitGrains.Accounts;

/// <summary>
/// The web sign-ins of one account (keyed by user id), so a person can see where they are signed in and end the
/// others ("my sessions"). One entry per token family: a sign-in and every session refreshed from it. The entries
/// describe families; whether a family is still live is the <see cref="ITokenFamilyGrain"/>'s answer, not this index's.
/// </summary>
[Alias("OrbitGrains.Accounts.IUserSessionsGrain")]
public interface IUserSessionsGrain : IGrainWithStringKey
{
    /// <summary>Sign-ins an account keeps at once; a new one past this ends the least recently used.</summary>
    const int MaxSignIns = 100;

    /// <summary>Records a new sign-in; answers the families pushed out past <see cref="MaxSignIns"/> (to be revoked).</summary>
    [Alias("Add")]
    Task<string[]> Add(WebSignIn signIn);

    /// <summary>A refresh of the family: its last use and the new refresh token's expiry.</summary>
    [Alias("Touch")]
    Task Touch(string familyId, DateTimeOffset usedAt, DateTimeOffset refreshExpiresAt);

    /// <summary>The sign-ins whose refresh tokens have not expired, most recently used first.</summary>
    [Alias("List")]
    Task<WebSignIn[]> List();

    /// <summary>Forgets the given families (revoked or found dead).</summary>
    [Alias("Remove")]
    Task Remove(string[] familyIds);
}

/// <summary>One web sign-in of an account.</summary>
/// <param name="Id">What clients name it by: 16 random hex characters (never the family id, which refresh tokens carry).</param>
/// <param name="FamilyId">The <see cref="ITokenFamilyGrain"/> key.</param>
/// <param name="UserAgent">The `User-Agent` the sign-in came with, cut to 256 characters; null when none was sent.</param>
/// <param name="RefreshExpiresAt">When the newest refresh token of the family expires; the entry is dropped after it.</param>
[GenerateSerializer, Immutable, Alias("OrbitGrains.Accounts.WebSignIn")]
public sealed record WebSignIn(
    [property: Id(0)] string Id,
    [property: Id(1)] string FamilyId,
    [property: Id(2)] DateTimeOffset CreatedAt,
    [property: Id(3)] DateTimeOffset LastUsedAt,
    [property: Id(4)] string? UserAgent,
    [property: Id(5)] DateTimeOffset RefreshExpiresAt);
