using Orleans.Concurrency;

namespace OrbitGrains.Agents;

/// <summary>
/// One agent [agent id]: its profile, status, counters, spend, events (in sealed pages) and inbox tasks. The commands it
/// queues live in their own grain, <see cref="IAgentCommandsGrain"/>, which the agent alone feeds (through an outbox
/// stored with each change that queues one); its events and inbox are read through <see cref="IAgentHistoryGrain"/>.
/// Dashboard calls name the calling user and answer null (the route's 404) for an agent of anyone else; runtime
/// calls come from the agent's own token.
/// </summary>
[Alias("OrbitGrains.Agents.IAgentGrain")]
public interface IAgentGrain : IGrainWithStringKey
{
    /// <summary>Pending inbox tasks an agent may have at once, so its state stays bounded.</summary>
    const int MaxPendingTasks = 500;

    /// <summary>Creates the agent (its workspace calls this once); creating it again returns it unchanged.</summary>
    [Alias("Create")]
    Task<AgentRecord> Create(string userId, string name, string? description, string tokenHash);

    /// <summary>The agent, when it exists and belongs to <paramref name="userId"/>.</summary>
    [Alias("Get")]
    Task<AgentRecord?> Get(string userId);

    /// <summary>Sets the status (one of <see cref="AgentStatuses"/>); null when not the user's agent.</summary>
    [Alias("SetStatus")]
    Task<AgentRecord?> SetStatus(string userId, string status);

    /// <summary>Revokes the live token at once; false when not the user's agent.</summary>
    [Alias("RevokeToken")]
    Task<bool> RevokeToken(string userId);

    /// <summary>
    /// Replaces the agent's token with the one of the given hash (already issued to this agent): the old one is revoked
    /// at once. Null when not the user's agent.
    /// </summary>
    [Alias("RotateToken")]
    Task<AgentRecord?> RotateToken(string userId, string newTokenHash);

    /// <summary>
    /// What of its two append-only paged logs the user's agent keeps in its state, read at one instant between its
    /// writes, so <see cref="IAgentHistoryGrain"/> can read the sealed pages itself: the parts not asked for are empty.
    /// <paramref name="pendingTasks"/> is how many of the newest pending tasks to include. Null when not the user's agent.
    /// </summary>
    [ReadOnly, Alias("History")]
    Task<AgentHistory?> History(string userId, bool events, int pendingTasks, bool decisions);

    /// <summary>
    /// Stores validated events, in order, with everything they cause in one write (a group commit): the counters, the
    /// spend, and for an event with a task id a pending inbox task and the status `waiting_approval`. When the batch takes
    /// the workspace's month over its budget, its events are still stored, and the agent is paused with a
    /// `budget_exceeded` command (once, when it is not paused already). An answer per event, in order: null (nothing
    /// written for it) when it asks for approval and the agent already has <see cref="MaxPendingTasks"/> pending tasks.
    /// </summary>
    [Alias("RecordBatch")]
    Task<RecordedEvent?[]> RecordBatch(NewAgentEvent[] events);

    /// <summary>
    /// Records the agent's visit, hands any stored commands still in its outbox to its queue, then answers the queue's
    /// pending commands created at or after <paramref name="since"/> (all when null), oldest first. The long-poll calls this
    /// before it waits on the queue (<see cref="IAgentCommandsGrain.Listen"/>).
    /// </summary>
    [Alias("PendingCommands")]
    Task<AgentCommand[]> PendingCommands(DateTimeOffset? since);

    /// <summary>
    /// Decides every pending task whose expiry has passed as rejected with comment "expired" (queueing their commands, one
    /// write), then tells the workspace when its next task expires. Its workspace's reminder calls it.
    /// </summary>
    [OneWay, Alias("ExpireDue")]
    Task ExpireDue();

    /// <summary>Marks a command acknowledged in the agent's queue and returns it; null when the queue has no such command.</summary>
    [Alias("Ack")]
    Task<AgentCommand?> Ack(string commandId);

    /// <summary>
    /// Decides a pending task in one write: the task's status and comment, an `approval_decision` command for the agent,
    /// and the agent's status (`waiting_approval` while other tasks are pending, else `running`). A task decided before
    /// is <see cref="DecisionOutcome.AlreadyDecided"/> and changes nothing.
    /// </summary>
    [Alias("Decide")]
    Task<DecisionResult> Decide(string userId, string taskId, string decision, string? comment);

    /// <summary>The user's agent's spend today and this month (UTC); null when not the user's agent.</summary>
    [Alias("Spend")]
    Task<AgentSpend?> Spend(string userId);
}
