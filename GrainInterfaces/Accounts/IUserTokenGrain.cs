namespace OrbitGrains.Accounts;

/// <summary>One bearer user token, keyed by the SHA-256 hex of the token; the token itself is never stored.</summary>
[Alias("OrbitGrains.Accounts.IUserTokenGrain")]
public interface IUserTokenGrain : IGrainWithStringKey
{
    [Alias("Issue")]
    Task Issue(string userId, DateTimeOffset issuedAt);

    /// <summary>The owner while the token is live, recording the use; null when unknown or revoked.</summary>
    [Alias("Use")]
    Task<string?> Use();

    [Alias("Revoke")]
    Task Revoke();
}
