namespace OrbitGrains.Accounts;

/// <summary>Which user a passkey credential belongs to, keyed by the credential id (base64url).</summary>
[Alias("OrbitGrains.Accounts.IPasskeyCredentialGrain")]
public interface IPasskeyCredentialGrain : IGrainWithStringKey
{
    /// <summary>Records the owner; false when the credential already belongs to another user.</summary>
    [Alias("Claim")]
    Task<bool> Claim(string userId);

    [Alias("Owner")]
    Task<string?> Owner();
}
