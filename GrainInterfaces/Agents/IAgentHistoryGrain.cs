namespace OrbitGrains.Agents;

/// <summary>
/// The read side of one agent's two append-only paged logs [agent id]: its events and its inbox tasks (pending, and
/// decided in the log of decisions). A stateless worker: it takes one snapshot from the agent
/// (<see cref="IAgentGrain.History"/>, answered from memory between the agent's writes) and reads the sealed pages
/// itself, so reads run on as many activations as they need and their page reads never hold up the agent's writes.
/// Null (the route's 404) when the agent is not the user's, exactly as for an unknown agent.
/// </summary>
[Alias("OrbitGrains.Agents.IAgentHistoryGrain")]
public interface IAgentHistoryGrain : IGrainWithStringKey
{
    /// <summary>The user's agent's newest <paramref name="limit"/> (1..1000) events, newest first; null when not the user's agent.</summary>
    [Alias("Events")]
    Task<AgentEvent[]?> Events(string userId, int limit);

    /// <summary>
    /// The user's agent's inbox tasks with the given status (all when null), newest first, at most
    /// <paramref name="limit"/>: the pending ones, then decided ones from at most 10 pages of 200 decisions,
    /// newest page first (so a query's cost is bounded). Null when not the user's agent.
    /// </summary>
    [Alias("Inbox")]
    Task<InboxItem[]?> Inbox(string userId, string? status, int limit);
}
