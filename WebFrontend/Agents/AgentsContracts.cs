using System.Text.Json;
using OrbitGrains.Agents;

namespace OrbitGrains.WebFrontend.Agents;

/// <summary>An agent as the dashboard lists it (spec: jarvis.md, `GET /v1/agents`).</summary>
/// <param name="TokenHash">The masked token hash, `sha256:abcdef12...wxyz`, or `revoked`; never the token.</param>
/// <param name="TotalSpend">Sum of the agent's event costs.</param>
public sealed record AgentView(
    string Id, string Name, string Status, decimal TotalSpend, DateTimeOffset? LastSeen, string TokenHash, long EventsCount,
    string? Description, DateTimeOffset CreatedAt)
{
    public static AgentView From(AgentRecord agent) => new(agent.Id, agent.Name, agent.Status, agent.TotalSpend, agent.LastSeen,
        Mask(agent.TokenHash), agent.EventsCount, agent.Description, agent.CreatedAt);

    /// <summary>`sha256:` with the first eight and last four hex digits of the hash; `revoked` when there is no live token.</summary>
    public static string Mask(string? tokenHash) => tokenHash is { Length: > 12 } hash ? $"sha256:{hash[..8]}...{hash[^4..]}" : "revoked";
}

/// <summary>`POST /v1/agents` answer: the agent and its token, shown this once.</summary>
public sealed record CreatedAgentResponse(AgentView Agent, string AgentToken);

/// <summary>An event of an agent (spec: jarvis.md, `GET /v1/events`).</summary>
public sealed record AgentEventView(string Id, string AgentId, string Type, string Message, decimal Cost, DateTimeOffset CreatedAt)
{
    public static AgentEventView From(AgentEvent e) => new(e.Id, e.AgentId, e.Type, e.Message, e.Cost, e.CreatedAt);
}

/// <summary>`POST /v1/events` answer: the stored event and the inbox task it opened (null when it asked for no approval).</summary>
public sealed record RecordedEventResponse(AgentEventView Event, string? TaskId);

/// <summary>A command for an agent (spec: jarvis.md, `GET /v1/commands`); the payload is a JSON object.</summary>
public sealed record AgentCommandView(string Id, string AgentId, string Kind, JsonElement Payload, string Status, DateTimeOffset CreatedAt, string? SourceTaskId)
{
    public static AgentCommandView From(AgentCommand c)
    {
        using var payload = JsonDocument.Parse(c.Payload);
        return new(c.Id, c.AgentId, c.Kind, payload.RootElement.Clone(), c.Status, c.CreatedAt, c.SourceTaskId);
    }
}

/// <summary>An approval task of the inbox (spec: jarvis.md, `GET /v1/inbox`).</summary>
/// <param name="Status">`pending`, `approved` or `rejected`.</param>
/// <param name="ExpiresAt">When a pending task is decided as rejected with comment "expired" (the event's expiresInSec); null: never.
/// Not in the original contract: added for the dashboard's countdowns, as the live feed's inbox entries already carry it.</param>
public sealed record InboxItemView(
    string Id, string AgentId, string AgentName, string? ProposedAction, string[] CompletedActions, string Status, string? Comment, DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt)
{
    public static InboxItemView From(InboxItem item) => new(item.Task.Id, item.Task.AgentId, item.AgentName, item.Task.ProposedAction,
        item.Task.CompletedActions, item.Task.Status, item.Task.Comment, item.Task.CreatedAt, item.Task.ExpiresAt);
}

/// <summary>
/// The workspace's spend (spec: jarvis.md, `GET /v1/spend`): today's and this month's (UTC) across its agents, the
/// monthly budget (null: none), and each agent's spend this month. Beyond the spec, <c>history</c>: spend per UTC day
/// for the last <see cref="SpendEndpoints.HistoryDays"/> days, oldest first, ending today (what the dashboard charts).
/// </summary>
public sealed record SpendView(decimal Daily, decimal Monthly, decimal? Budget, AgentSpendView[] AgentBreakdown, DaySpendView[] History);

/// <summary>One UTC day's spend: <c>date</c> is yyyy-MM-dd.</summary>
public sealed record DaySpendView(string Date, decimal Spend);

/// <summary>One agent's spend this month (UTC).</summary>
public sealed record AgentSpendView(string AgentId, string AgentName, decimal Spend);
