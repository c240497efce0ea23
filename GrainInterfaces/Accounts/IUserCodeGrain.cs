namespace OrbitGrains.Accounts;

/// <summary>The short code a person types to approve a device, keyed by the code (upper case, with its dash).</summary>
[Alias("OrbitGrains.Accounts.IUserCodeGrain")]
public interface IUserCodeGrain : IGrainWithStringKey
{
    /// <summary>Reserves the code for a device code; false when the code is already in use.</summary>
    [Alias("Bind")]
    Task<bool> Bind(string deviceCodeHash, DateTimeOffset expiresAt);

    /// <summary>Approves the device behind this code for the user; false when expired or not found.</summary>
    [Alias("Authorise")]
    Task<bool> Authorise(string userId);
}
