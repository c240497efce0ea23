namespace OrbitGrains.Agents;

/// <summary>An agent's status (spec: jarvis.md, "Agent status"), spelled as its clients send and read it.</summary>
public static class AgentStatuses
{
    public const string Running = "running";
    public const string Idle = "idle";
    public const string Paused = "paused";
    public const string Error = "error";
    public const string WaitingApproval = "waiting_approval";

    public static readonly IReadOnlyList<string> All = [Running, Idle, Paused, Error, WaitingApproval];
}

/// <summary>The kinds of event an agent reports (spec: jarvis.md, `POST /v1/events`).</summary>
public static class AgentEventTypes
{
    public static readonly IReadOnlyList<string> All = ["action", "completion", "error", "tool_call", "approval_request"];
}

/// <summary>An agent's profile and counters as its grain keeps them.</summary>
/// <param name="TokenHash">SHA-256 hex of the live agent token; null once revoked (the list shows a masked form only).</param>
/// <param name="TotalSpend">Sum of its events' costs, in the currency unit the agents report.</param>
[GenerateSerializer, Immutable, Alias("OrbitGrains.Agents.AgentRecord")]
public sealed record AgentRecord(
    [property: Id(0)] string Id,
    [property: Id(1)] string UserId,
    [property: Id(2)] string Name,
    [property: Id(3)] string? Description,
    [property: Id(4)] string Status,
    [property: Id(5)] decimal TotalSpend,
    [property: Id(6)] DateTimeOffset? LastSeen,
    [property: Id(7)] string? TokenHash,
    [property: Id(8)] long EventsCount,
    [property: Id(9)] DateTimeOffset CreatedAt);

/// <summary>One event an agent reported; <paramref name="Sequence"/> numbers the agent's events from 1.</summary>
[GenerateSerializer, Immutable, Alias("OrbitGrains.Agents.AgentEvent")]
public sealed record AgentEvent(
    [property: Id(0)] long Sequence,
    [property: Id(1)] string Id,
    [property: Id(2)] string AgentId,
    [property: Id(3)] string Type,
    [property: Id(4)] string Message,
    [property: Id(5)] decimal Cost,
    [property: Id(6)] DateTimeOffset CreatedAt);

/// <summary>A validated event on its way to its agent: the edge has checked every member, so the grain only stores it.</summary>
/// <param name="EventId">Issued by the edge, as is <paramref name="TaskId"/> when the event asks for approval.</param>
/// <param name="ExpiresInSec">With a task: seconds after which it is decided as rejected with comment "expired"; null: never.</param>
[GenerateSerializer, Immutable, Alias("OrbitGrains.Agents.NewAgentEvent")]
public sealed record NewAgentEvent(
    [property: Id(0)] string EventId,
    [property: Id(1)] string Type,
    [property: Id(2)] string Message,
    [property: Id(3)] decimal Cost,
    [property: Id(4)] string? TaskId,
    [property: Id(5)] string? ProposedAction,
    [property: Id(6)] string[] CompletedActions,
    [property: Id(7)] int? ExpiresInSec = null);

/// <summary>What recording an event did: the stored event and the inbox task it opened, if any.</summary>
[GenerateSerializer, Immutable, Alias("OrbitGrains.Agents.RecordedEvent")]
public sealed record RecordedEvent([property: Id(0)] AgentEvent Event, [property: Id(1)] string? TaskId);

/// <summary>An approval task of an agent's inbox: pending until a person decides it.</summary>
/// <param name="Status">`pending`, `approved` or `rejected`.</param>
/// <param name="ExpiresAt">When a pending task is decided as rejected with comment "expired"; null: never.</param>
[GenerateSerializer, Immutable, Alias("OrbitGrains.Agents.InboxTask")]
public sealed record InboxTask(
    [property: Id(0)] string Id,
    [property: Id(1)] string AgentId,
    [property: Id(2)] string? ProposedAction,
    [property: Id(3)] string[] CompletedActions,
    [property: Id(4)] string Status,
    [property: Id(5)] string? Comment,
    [property: Id(6)] DateTimeOffset CreatedAt,
    [property: Id(7)] DateTimeOffset? ExpiresAt = null);

/// <summary>A command queued for an agent (spec: jarvis.md, `GET /v1/commands`).</summary>
/// <param name="Payload">The payload, a JSON object as text.</param>
/// <param name="Status">`pending` until the agent acknowledges it, then `acked`.</param>
[GenerateSerializer, Immutable, Alias("OrbitGrains.Agents.AgentCommand")]
public sealed record AgentCommand(
    [property: Id(0)] string Id,
    [property: Id(1)] string AgentId,
    [property: Id(2)] string Kind,
    [property: Id(3)] string Payload,
    [property: Id(4)] string Status,
    [property: Id(5)] DateTimeOffset CreatedAt,
    [property: Id(6)] string? SourceTaskId);

/// <summary>
/// A command on its way from its agent to the agent's queue; <paramref name="Sequence"/> numbers the agent's commands from 1,
/// so the queue recognises one it already holds.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrbitGrains.Agents.QueuedCommand")]
public sealed record QueuedCommand([property: Id(0)] long Sequence, [property: Id(1)] AgentCommand Command);

/// <summary>Whose agent an agent token is.</summary>
[GenerateSerializer, Immutable, Alias("OrbitGrains.Agents.AgentTokenOwner")]
public sealed record AgentTokenOwner([property: Id(0)] string AgentId, [property: Id(1)] string UserId);

/// <summary>Inbox task statuses (spec: jarvis.md, `GET /v1/inbox?status=`).</summary>
public static class InboxStatuses
{
    public const string Pending = "pending";
    public const string Approved = "approved";
    public const string Rejected = "rejected";
}

/// <summary>Command statuses (spec: jarvis.md, `POST /v1/commands/{id}/ack`).</summary>
public static class CommandStatuses
{
    public const string Pending = "pending";
    public const string Acked = "acked";
}

/// <summary>A decided inbox task in its agent's append-only log of decisions; <paramref name="Sequence"/> counts from 1.</summary>
[GenerateSerializer, Immutable, Alias("OrbitGrains.Agents.DecidedTask")]
public sealed record DecidedTask([property: Id(0)] long Sequence, [property: Id(1)] InboxTask Task);

/// <summary>An inbox task with its agent's name, as the inbox lists it.</summary>
[GenerateSerializer, Immutable, Alias("OrbitGrains.Agents.InboxItem")]
public sealed record InboxItem([property: Id(0)] InboxTask Task, [property: Id(1)] string AgentName);

/// <summary>How a decision went: decided (with the item), already decided, or no such item of this user.</summary>
public enum DecisionOutcome
{
    Decided,
    AlreadyDecided,
    NotFound,
}

/// <summary>The answer to a decision; <paramref name="Item"/> is set when <see cref="DecisionOutcome.Decided"/>.</summary>
[GenerateSerializer, Immutable, Alias("OrbitGrains.Agents.DecisionResult")]
public sealed record DecisionResult([property: Id(0)] DecisionOutcome Outcome, [property: Id(1)] InboxItem? Item);

/// <summary>Where an inbox task lives: its agent and the agent's owner.</summary>
[GenerateSerializer, Immutable, Alias("OrbitGrains.Agents.InboxTaskLocation")]
public sealed record InboxTaskLocation([property: Id(0)] string AgentId, [property: Id(1)] string UserId);

/// <summary>An agent's spend in the current UTC day and month (both 0 when it spent nothing in them).</summary>
[GenerateSerializer, Immutable, Alias("OrbitGrains.Agents.AgentSpend")]
public sealed record AgentSpend(
    [property: Id(0)] string AgentId,
    [property: Id(1)] string AgentName,
    [property: Id(2)] decimal Daily,
    [property: Id(3)] decimal Monthly);

/// <summary>A UTC day's spend in a workspace: <paramref name="Date"/> is yyyy-MM-dd.</summary>
[GenerateSerializer, Immutable, Alias("OrbitGrains.Agents.DaySpend")]
public sealed record DaySpend([property: Id(0)] string Date, [property: Id(1)] decimal Spend);

/// <summary>The workspace's month after a spend was added: its total and the budget (null: none set).</summary>
[GenerateSerializer, Immutable, Alias("OrbitGrains.Agents.MonthSpend")]
public sealed record MonthSpend([property: Id(0)] decimal Total, [property: Id(1)] decimal? Budget)
{
    /// <summary>True when a budget is set and the month's spend is over it.</summary>
    public bool OverBudget => Budget is { } budget && Total > budget;
}
