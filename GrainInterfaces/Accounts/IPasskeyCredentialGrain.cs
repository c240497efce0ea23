namespace OrbitGrains.Accounts;

/// <summary>Which user a passkey credential belongs to, keyed by the credential id (base64url).</summary>
[Alias("OrbitGrains.Accounts.IPasskeyCredentialGrain")]
public interface IPasskeyCredentialGrain : IGrainWithStringKey
{
    /// <summary>Records the owner; false when the credential already belongs to another user.</summary>
    [Alias("Claim")]
    Task<bool> Claim(string userId);

    /// <summary>The user the credential belongs to; null when it is free.</summary>
    [Alias("Owner")]
    Task<string?> Owner();

    /// <summary>
    /// Frees the credential, only if <paramref name="userId"/> holds it: undoes a claim whose registration was refused
    /// after it (the name was taken, the policy closed, the account is full), so nothing of it stays behind.
    /// </summary>
    [Alias("Release")]
    Task Release(string userId);
}
