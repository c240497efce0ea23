namespace OrbitGrains.Accounts;

/// <summary>
/// One WebAuthn ceremony, keyed by its challenge (base64url): the verify call finds it from the challenge the
/// authenticator signed. Single-use and expiring; the handler's state string holds the raw challenge and so never
/// leaves the server. A ceremony nobody finishes is removed at its expiry and leaves no row.
/// </summary>
[Alias("OrbitGrains.Accounts.IPasskeyCeremonyGrain")]
public interface IPasskeyCeremonyGrain : IGrainWithStringKey
{
    [Alias("Start")]
    Task Start(PasskeyCeremony ceremony);

    /// <summary>Consumes the ceremony: it can be taken once, and an expired one is reported as such once.</summary>
    [Alias("Take")]
    Task<PasskeyCeremonyTake> Take();
}

public enum PasskeyCeremonyKind
{
    Registration,
    Authentication,
}

public enum PasskeyCeremonyStatus
{
    Missing,
    Expired,
    Live,
}

[GenerateSerializer, Immutable, Alias("OrbitGrains.Accounts.PasskeyCeremony")]
public sealed record PasskeyCeremony(
    [property: Id(0)] PasskeyCeremonyKind Kind,
    [property: Id(1)] string HandlerState,
    [property: Id(2)] string UserId,
    [property: Id(3)] bool NewAccount,
    [property: Id(4)] string? Name,
    [property: Id(5)] string? DisplayName,
    [property: Id(6)] DateTimeOffset ExpiresAt,
    [property: Id(7)] string? InviteHash = null);

[GenerateSerializer, Immutable, Alias("OrbitGrains.Accounts.PasskeyCeremonyTake")]
public sealed record PasskeyCeremonyTake(
    [property: Id(0)] PasskeyCeremonyStatus Status,
    [property: Id(1)] PasskeyCeremony? Ceremony);
