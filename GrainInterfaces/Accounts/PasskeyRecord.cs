namespace OrbitGrains.Accounts;

/// <summary>A registered passkey: what the relying party keeps to verify later assertions.</summary>
[GenerateSerializer, Immutable, Alias("OrbitGrains.Accounts.PasskeyRecord")]
public sealed record PasskeyRecord(
    [property: Id(0)] byte[] CredentialId,
    [property: Id(1)] byte[] PublicKey,
    [property: Id(2)] string? Name,
    [property: Id(3)] DateTimeOffset CreatedAt,
    [property: Id(4)] uint SignCount,
    [property: Id(5)] string[]? Transports,
    [property: Id(6)] bool IsUserVerified,
    [property: Id(7)] bool IsBackupEligible,
    [property: Id(8)] bool IsBackedUp,
    [property: Id(9)] byte[] AttestationObject,
    [property: Id(10)] byte[] ClientDataJson);
