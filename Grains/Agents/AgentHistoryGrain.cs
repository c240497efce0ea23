using Orleans.Concurrency;
using OrbitGrains.Rooms;

namespace OrbitGrains.Agents;

/// <summary>
/// Reads an agent's events and inbox: one snapshot of what the agent's state holds, then the sealed pages. Every page a
/// snapshot leads to is sealed before the agent's state forgot its entries, and a sealed page never changes, so a read
/// sees the logs as they were at the snapshot, however many events arrive meanwhile.
/// </summary>
[StatelessWorker]
public sealed class AgentHistoryGrain : Grain, IAgentHistoryGrain
{
    /// <summary>Pages of decisions read at most for one inbox query with a status filter, so a query's cost is bounded.</summary>
    private const int MaxPagesScanned = 10;

    private string AgentId => this.GetPrimaryKeyString();

    private IAgentGrain Agent => GrainFactory.GetGrain<IAgentGrain>(AgentId);

    public async Task<AgentEvent[]?> Events(string userId, int limit)
    {
        if (await Agent.History(userId, events: true, pendingTasks: 0, decisions: false) is not { } history)
        {
            return null;
        }

        var count = history.Agent.EventsCount;
        var (entries, _) = await PagedLog.ReadAsync(Math.Max(0, count - limit), limit, count, history.OpenEvents, e => e.Sequence,
            page => AgentLogs.EventPage(GrainFactory, AgentId, page).Entries(), AgentLogs.EventPageSize);
        Array.Reverse(entries);
        return entries;
    }

    public async Task<InboxItem[]?> Inbox(string userId, string? status, int limit)
    {
        var pending = status is null or InboxStatuses.Pending;
        var decided = status != InboxStatuses.Pending;
        if (await Agent.History(userId, events: false, pendingTasks: pending ? limit : 0, decisions: decided) is not { } history)
        {
            return null;
        }

        var result = new List<InboxTask>(history.PendingTasks);
        var end = history.DecidedCount;
        for (var pages = 0; decided && result.Count < limit && end > 0 && pages < MaxPagesScanned; pages++)
        {
            var start = Math.Max(0, end - AgentLogs.DecisionPageSize);
            var (entries, _) = await PagedLog.ReadAsync(start, (int)(end - start), history.DecidedCount, history.OpenDecided, d => d.Sequence,
                page => AgentLogs.DecisionPage(GrainFactory, AgentId, page).Entries(), AgentLogs.DecisionPageSize);
            result.AddRange(entries.Reverse().Select(d => d.Task).Where(t => status is null || t.Status == status).Take(limit - result.Count));
            end = start;
        }

        return result.OrderByDescending(t => t.CreatedAt).Take(limit).Select(t => new InboxItem(t, history.Agent.Name)).ToArray();
    }
}
