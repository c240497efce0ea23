namespace OrbitGrains.Agents;

/// <summary>One agent token [SHA-256 hex of the token]: whose it is and whether it is live. The token itself is never stored.</summary>
[Alias("OrbitGrains.Agents.IAgentTokenGrain")]
public interface IAgentTokenGrain : IGrainWithStringKey
{
    [Alias("Issue")]
    Task Issue(string agentId, string userId);

    /// <summary>The owner while the token is live; null when unknown or revoked.</summary>
    [Alias("Owner")]
    Task<AgentTokenOwner?> Owner();

    /// <summary>Ends the token at once; revoking twice is harmless.</summary>
    [Alias("Revoke")]
    Task Revoke();
}
