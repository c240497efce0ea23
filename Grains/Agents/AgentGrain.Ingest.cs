using System.Text.Json;
using OrbitGrains.Rooms;

namespace OrbitGrains.Agents;

/// <summary>Event ingestion: a batch of validated events becomes one state write (the front end groups concurrent ones).</summary>
public sealed partial class AgentGrain
{
    /// <summary>
    /// Events a sealed page holds. Small on purpose: the open page is rewritten with every batch an agent reports, so
    /// its size is the bytes every event write carries (200 entries a page, as the audit log has, made ingestion
    /// rewrite tens of KiB per event; docs/benchmarks.md, "Agents: event ingestion").
    /// </summary>
    internal const int EventPageSize = 25;

    public async Task<RecordedEvent?[]> RecordBatch(NewAgentEvent[] events)
    {
        var agent = state.State.Agent ?? throw new InvalidOperationException("Events come with a live token, which only an existing agent has.");
        var now = clock.GetUtcNow();
        var results = new RecordedEvent?[events.Length];

        // Admission first: an event whose task would pass the limit is refused and leaves nothing.
        var accepted = new List<NewAgentEvent>(events.Length);
        var pendingTasks = state.State.Tasks.Count;
        var positions = new List<int>(events.Length);
        for (var i = 0; i < events.Length; i++)
        {
            if (events[i].TaskId is not null)
            {
                if (pendingTasks >= IAgentGrain.MaxPendingTasks)
                {
                    continue;
                }

                pendingTasks++;
            }

            accepted.Add(events[i]);
            positions.Add(i);
        }

        if (accepted.Count == 0)
        {
            return results;
        }

        // Lookups and the workspace before the agent's write: a stored task is always found, a noted expiry always armed,
        // and a budget crossed by the batch is known before anything of the agent is written.
        await Task.WhenAll(accepted.Where(e => e.TaskId is not null)
            .Select(e => GrainFactory.GetGrain<IInboxTaskGrain>(e.TaskId!).Set(new InboxTaskLocation(agent.Id, agent.UserId))));
        var expiries = accepted.Where(e => e is { TaskId: not null, ExpiresInSec: not null }).Select(e => now.AddSeconds(e.ExpiresInSec!.Value)).ToArray();
        if (expiries.Length > 0)
        {
            await GrainFactory.GetGrain<IWorkspaceGrain>(agent.UserId).ExpireAt(agent.Id, expiries.Min());
        }

        if (!state.State.InInboxIndex && accepted.Any(e => e.TaskId is not null))
        {
            // Listed before the first task is stored, so the inbox list never misses it; the flag is stored with the batch.
            await GrainFactory.GetGrain<IWorkspaceGrain>(agent.UserId).NoteInboxAgent(agent.Id);
            state.State.InInboxIndex = true;
        }

        // Every batch tells the workspace its sequence numbers, so spend counted for a batch that was never stored is taken back.
        var cost = accepted.Sum(e => e.Cost);
        var counted = await GrainFactory.GetGrain<IWorkspaceGrain>(agent.UserId).AddSpend(agent.Id, agent.EventsCount + 1, agent.EventsCount + accepted.Count, cost);
        var month = cost > 0 ? counted : null;

        var status = agent.Status;
        var sequence = agent.EventsCount;
        var recorded = new List<(AgentEvent Event, InboxTask? Opened)>(accepted.Count);
        for (var i = 0; i < accepted.Count; i++)
        {
            var newEvent = accepted[i];
            var stored = new AgentEvent(++sequence, newEvent.EventId, agent.Id, newEvent.Type, newEvent.Message, newEvent.Cost, now);
            state.State.OpenEvents.Add(stored);
            InboxTask? opened = null;
            if (newEvent.TaskId is { } taskId)
            {
                DateTimeOffset? expiresAt = newEvent.ExpiresInSec is { } seconds ? now.AddSeconds(seconds) : null;
                opened = new InboxTask(taskId, agent.Id, newEvent.ProposedAction, newEvent.CompletedActions, InboxStatuses.Pending, null, now, expiresAt);
                state.State.Tasks.Add(opened);
                status = AgentStatuses.WaitingApproval;
            }

            if (state.State.OpenEvents.Count >= EventPageSize)
            {
                // Sealed before the head forgets them: a crash in between leaves them in both, never in neither.
                await GrainFactory.GetGrain<ISealedPageGrain<AgentEvent>>(PagedLog.PageKey(EventLogKey, PagedLog.PageOf(sequence, EventPageSize)))
                    .Seal(state.State.OpenEvents.ToArray());
                state.State.OpenEvents.Clear();
            }

            recorded.Add((stored, opened));
            results[positions[i]] = new RecordedEvent(stored, newEvent.TaskId);
        }

        var crossed = month is { OverBudget: true } && agent.Status != AgentStatuses.Paused;
        if (crossed)
        {
            status = AgentStatuses.Paused;
            var payload = JsonSerializer.Serialize(new { monthly = month!.Total, budget = month.Budget });
            QueueCommand("budget_exceeded", payload, null, now);
        }

        CountSpend(now, cost);
        state.State.Agent = agent with { EventsCount = sequence, TotalSpend = agent.TotalSpend + cost, LastSeen = now, Status = status };

        // One write for the whole batch; every event of it is acknowledged only after it.
        await WriteAsync();
        await DeliverAsync();
        foreach (var (stored, opened) in recorded)
        {
            AgentFeed.Recorded(GrainFactory, state.State.Agent!, stored, opened);
        }

        AgentFeed.BatchOutcome(GrainFactory, state.State.Agent!, cost, month, crossed, status != agent.Status);
        return results;
    }
}
