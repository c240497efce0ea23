using OrbitGrains.Feeds;

namespace OrbitGrains.Agents;

/// <summary>
/// What the Agents family puts on a person's live feed (`GET /v1/stream`), in the shapes its REST routes answer:
/// `agent_event` (an event), `inbox` (`{action: opened|decided|expired, item}`), `spend` (`{agentId, cost, monthly,
/// budget}`), `agent_status` (`{agentId, status}`) and `budget_exceeded` (`{agentId, monthly, budget}`).
/// </summary>
internal static class AgentFeed
{
    public static object Event(AgentEvent e) => new { id = e.Id, agentId = e.AgentId, type = e.Type, message = e.Message, cost = e.Cost, createdAt = e.CreatedAt };

    public static object Item(InboxTask t, string agentName) => new
    {
        id = t.Id, agentId = t.AgentId, agentName, proposedAction = t.ProposedAction, completedActions = t.CompletedActions,
        status = t.Status, comment = t.Comment, createdAt = t.CreatedAt, expiresAt = t.ExpiresAt,
    };

    public static object Status(AgentRecord agent) => new { agentId = agent.Id, status = agent.Status };
}
