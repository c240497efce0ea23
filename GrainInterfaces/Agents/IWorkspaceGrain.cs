using Orleans.Concurrency;

namespace OrbitGrains.Agents;

/// <summary>
/// A user's agent workspace [user id] (spec: jarvis.md, Dashboard): which agents the user has. Every account has one;
/// it is created by its first use.
/// </summary>
[Alias("OrbitGrains.Agents.IWorkspaceGrain")]
public interface IWorkspaceGrain : IGrainWithStringKey
{
    /// <summary>Agents a workspace may hold, so its state stays bounded.</summary>
    const int MaxAgents = 1000;

    /// <summary>
    /// Creates an agent with the given id and live token (hash); null when the workspace already has <see cref="MaxAgents"/>.
    /// </summary>
    [Alias("CreateAgent")]
    Task<AgentRecord?> CreateAgent(string agentId, string name, string? description, string tokenHash);

    /// <summary>The workspace's agent ids, oldest first.</summary>
    [Alias("AgentIds")]
    Task<string[]> AgentIds();

    /// <summary>
    /// Adds the cost of an agent's batch of events (its sequence numbers <paramref name="firstSequence"/>..
    /// <paramref name="lastSequence"/>) to the current UTC month's spend; the month after it and the budget. The agent
    /// calls this before it stores the batch, so a crash between the two would count spend for events never stored:
    /// when a batch reuses sequence numbers of the agent's previous one, that one was not stored, or is counted again
    /// within this one (the agent owed its spend after both attempts to count it failed), and its cost is taken back
    /// first. Nothing is written for a batch of cost 0 that takes nothing back. Interleaves with every other call:
    /// the change is made at once and calls that arrive while a write is in flight share the next one, so the agents
    /// of one workspace do not queue behind each other's storage round trips.
    /// </summary>
    [AlwaysInterleave, Alias("AddSpend")]
    Task<MonthSpend> AddSpend(string agentId, long firstSequence, long lastSequence, decimal cost);

    /// <summary>The current UTC month's spend and the budget.</summary>
    [Alias("Month")]
    Task<MonthSpend> Month();

    /// <summary>
    /// Spend per UTC day for the last <paramref name="days"/> days (1 to <see cref="MaxSpendDays"/>), oldest first,
    /// ending today; a day without spend is 0. Corrected the same way as the month when a batch is counted again.
    /// </summary>
    [Alias("SpendDays")]
    Task<DaySpend[]> SpendDays(int days);

    /// <summary>Days of per-day spend a workspace keeps.</summary>
    const int MaxSpendDays = 62;

    /// <summary>Sets the monthly budget (greater than 0), or turns budget enforcement off with null.</summary>
    [Alias("SetBudget")]
    Task SetBudget(decimal? budget);

    /// <summary>
    /// Notes that an agent has a pending task expiring at <paramref name="at"/> (kept when earlier than the one noted),
    /// and keeps the workspace's one inbox-expiry reminder, which asks the agent to expire its due tasks.
    /// </summary>
    [Alias("ExpireAt")]
    Task ExpireAt(string agentId, DateTimeOffset at);

    /// <summary>
    /// Notes that an agent has inbox tasks (the inbox index): the agent calls it before it stores its first task, so an
    /// agent with tasks is always listed (one whose write then failed is listed with none, which only costs a call).
    /// Agents stay listed: decided tasks stay in the inbox. Idempotent.
    /// </summary>
    [Alias("NoteInboxAgent")]
    Task NoteInboxAgent(string agentId);

    /// <summary>
    /// The agents that have (or may have) inbox tasks, oldest first: those the inbox list asks. Null when the index was
    /// not built yet (a workspace whose agents had tasks before it kept one): the caller builds it with
    /// <see cref="CompleteInboxIndex"/>.
    /// </summary>
    [Alias("InboxAgentIds")]
    Task<string[]?> InboxAgentIds();

    /// <summary>Adds the agents found with inbox tasks by asking each of them, and marks the index complete.</summary>
    [Alias("CompleteInboxIndex")]
    Task CompleteInboxIndex(string[] agentIds);

    /// <summary>An agent's next task expiry after it expired its due tasks; null: none left (the reminder ends with the last).</summary>
    [Alias("SetExpiry")]
    Task SetExpiry(string agentId, DateTimeOffset? next);
}
