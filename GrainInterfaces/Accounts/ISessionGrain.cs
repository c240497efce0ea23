namespace OrbitGrains.Accounts;

/// <summary>A web session, keyed by the JWT `jti`. A JWT is only accepted while its session is live.</summary>
[Alias("OrbitGrains.Accounts.ISessionGrain")]
public interface ISessionGrain : IGrainWithStringKey
{
    [Alias("Start")]
    Task Start(SessionStart session);

    /// <summary>The session when it exists, is not revoked and has not expired; otherwise null.</summary>
    [Alias("GetLive")]
    Task<SessionStart?> GetLive();

    [Alias("Revoke")]
    Task Revoke();
}

[GenerateSerializer, Immutable, Alias("OrbitGrains.Accounts.SessionStart")]
public sealed record SessionStart(
    [property: Id(0)] string UserId,
    [property: Id(1)] string FamilyId,
    [property: Id(2)] DateTimeOffset ExpiresAt);
