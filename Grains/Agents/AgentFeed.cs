using OrbitGrains.Feeds;

namespace OrbitGrains.Agents;

/// <summary>
/// What the Agents family puts on a person's live feed (`GET /v1/stream`), in the shapes its REST routes answer:
/// `agent_event` (an event), `inbox` (`{action: opened|decided|expired, item}`), `spend` (`{agentId, cost, monthly,
/// budget}`), `agent_status` (`{agentId, status}`) and `budget_exceeded` (`{agentId, monthly, budget}`). Every entry is
/// one-way (<see cref="UserFeedPublisher"/>): it never delays or fails the change it reports.
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

    /// <summary>An inbox item's change (<paramref name="action"/>: opened, decided or expired).</summary>
    public static void InboxChanged(IGrainFactory grains, AgentRecord agent, string action, InboxTask task) =>
        _ = grains.PublishAsync(agent.UserId, "inbox", new { action, item = Item(task, agent.Name) });

    public static void StatusChanged(IGrainFactory grains, AgentRecord agent) => _ = grains.PublishAsync(agent.UserId, "agent_status", Status(agent));

    /// <summary>The entries of a recorded event: the event and the task it opened.</summary>
    public static void Recorded(IGrainFactory grains, AgentRecord agent, AgentEvent stored, InboxTask? opened)
    {
        _ = grains.PublishAsync(agent.UserId, "agent_event", Event(stored));
        if (opened is not null)
        {
            InboxChanged(grains, agent, "opened", opened);
        }
    }

    /// <summary>The entries of a stored batch as a whole: its spend, a crossed budget, the new status.</summary>
    public static void BatchOutcome(IGrainFactory grains, AgentRecord agent, decimal cost, MonthSpend? month, bool crossedBudget, bool statusChanged)
    {
        if (month is not null)
        {
            _ = grains.PublishAsync(agent.UserId, "spend", new { agentId = agent.Id, cost, monthly = month.Total, budget = month.Budget });
        }

        if (crossedBudget)
        {
            _ = grains.PublishAsync(agent.UserId, "budget_exceeded", new { agentId = agent.Id, monthly = month!.Total, budget = month.Budget });
        }

        if (statusChanged)
        {
            StatusChanged(grains, agent);
        }
    }
}
