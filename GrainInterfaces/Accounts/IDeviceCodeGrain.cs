namespace OrbitGrains.Accounts;

/// <summary>One device-code sign-in of an Anchor, keyed by the SHA-256 hex of the device code.</summary>
[Alias("OrbitGrains.Accounts.IDeviceCodeGrain")]
public interface IDeviceCodeGrain : IGrainWithStringKey
{
    [Alias("Start")]
    Task Start(string userCode, DateTimeOffset expiresAt);

    /// <summary>Binds the code to the signed-in user; false when expired, unknown, consumed or bound to someone else.</summary>
    [Alias("Authorise")]
    Task<bool> Authorise(string userId);

    /// <summary>Where the flow stands; an authorised answer consumes the code, so it is given once.</summary>
    [Alias("Poll")]
    Task<DevicePoll> Poll();
}

public enum DeviceCodeStatus
{
    Pending,
    Authorised,
    Expired,
}

[GenerateSerializer, Immutable, Alias("OrbitGrains.Accounts.DevicePoll")]
public sealed record DevicePoll(
    [property: Id(0)] DeviceCodeStatus Status,
    [property: Id(1)] string? UserId);
