namespace OrbitGrains.Accounts;

/// <summary>
/// What grew from one sign-in by refreshing: a web sign-in's sessions, or a device-code sign-in's anchor tokens.
/// Keyed by a random id given at that sign-in. Logout, or a refresh token used twice (a sign of theft), ends the
/// whole chain at once.
/// </summary>
[Alias("OrbitGrains.Accounts.ITokenFamilyGrain")]
public interface ITokenFamilyGrain : IGrainWithStringKey
{
    /// <summary>
    /// Adds what one sign-in or refresh issued (sessions, access tokens; never refresh tokens, which ask
    /// <see cref="IsRevoked"/> themselves), keeping the family at least until <paramref name="keepUntil"/> (its
    /// newest refresh token's expiry). False, and all of <paramref name="issued"/> revoked, when the family has
    /// already been revoked.
    /// </summary>
    [Alias("Add")]
    Task<bool> Add(FamilyMember[] issued, DateTimeOffset keepUntil);

    [Alias("IsRevoked")]
    Task<bool> IsRevoked();

    [Alias("RevokeAll")]
    Task RevokeAll();
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
