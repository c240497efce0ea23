using System.Text.Json;
using Microsoft.Extensions.Logging;
using OrbitGrains.Rooms;

namespace OrbitGrains.Agents;

/// <summary>Event ingestion: a batch of validated events becomes one state write (the front end groups concurrent ones).</summary>
public sealed partial class AgentGrain
{
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

        // Lookups before the agent's write: a stored task is always found, a noted expiry always armed.
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

        // The workspace counts the batch while the agent stores it, so both writes join the same commit of the store
        // rather than waiting for one another (an event's acknowledgement waited for two commits in turn;
        // docs/benchmarks.md, "Agents"). Counting is idempotent by sequence numbers: a batch counted but not stored is
        // taken back when the agent's next batch reuses its numbers. Spend a failed count left owed (UncountedSpend) is
        // counted with this batch, from its first number on, so the workspace takes back what a failed attempt added.
        var cost = AgentCosts.Sum(accepted.Select(e => e.Cost));
        var lastSequence = agent.EventsCount + accepted.Count;
        var owed = state.State.Uncounted;
        var (firstSequence, countedCost) = owed is null ? (agent.EventsCount + 1, cost) : (owed.FirstSequence, AgentCosts.Add(owed.Cost, cost));
        var counting = GrainFactory.GetGrain<IWorkspaceGrain>(agent.UserId).AddSpend(agent.Id, firstSequence, lastSequence, countedCost);

        var status = agent.Status;
        var sequence = agent.EventsCount;
        var recorded = new List<(AgentEvent Event, InboxTask? Opened)>(accepted.Count);
        try
        {
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

                if (state.State.OpenEvents.Count >= AgentLogs.EventPageSize)
                {
                    // Sealed before the head forgets them: a crash in between leaves them in both, never in neither.
                    await AgentLogs.EventPage(GrainFactory, agent.Id, PagedLog.PageOf(sequence, AgentLogs.EventPageSize))
                        .Seal(state.State.OpenEvents.ToArray());
                    state.State.OpenEvents.Clear();
                }

                recorded.Add((stored, opened));
                results[positions[i]] = new RecordedEvent(stored, newEvent.TaskId);
            }

            CountSpend(now, cost);
            state.State.Agent = agent with { EventsCount = sequence, TotalSpend = AgentCosts.Add(agent.TotalSpend, cost), LastSeen = now, Status = status };
            state.State.Uncounted = null;
        }
        catch
        {
            // What this batch added so far is in memory only: dropping the activation forgets it, so a batch that fails
            // here leaves none of its events to be listed or stored by a later write (its requests fail; the workspace
            // takes back its count when the next batch reuses the sequence numbers).
            DeactivateOnIdle();
            throw;
        }

        // One write for the whole batch; every event of it is acknowledged only after it and after the workspace's count.
        var write = WriteAsync();
        MonthSpend? counted;
        try
        {
            counted = await CountedAsync(counting, firstSequence, lastSequence, countedCost);
        }
        finally
        {
            await write;
        }

        foreach (var (stored, _) in recorded)
        {
            meter.Agents.Stored(stored.Type);
        }

        if (counted is null)
        {
            // The events are stored, so the batch is answered as stored: an error would make its client send it again,
            // and nothing in an event tells a retry from a new one. The spend stays owed to the next batch.
            await OweSpendAsync(new UncountedSpend(firstSequence, lastSequence, countedCost));
        }

        // A batch that crosses the budget pauses its agent once it is stored. A crash before this second write leaves
        // the agent running over budget until its next batch, which finds the month over budget and pauses it then;
        // so does a count that failed (the next batch counts its spend).
        var month = countedCost > 0 ? counted : null;
        var crossed = month is { OverBudget: true } && agent.Status != AgentStatuses.Paused;
        if (crossed)
        {
            var payload = JsonSerializer.Serialize(new { monthly = month!.Total, budget = month.Budget });
            QueueCommand("budget_exceeded", payload, null, now);
            state.State.Agent = state.State.Agent with { Status = AgentStatuses.Paused };
            await WriteAsync();
        }

        await DeliverAsync();
        foreach (var (stored, opened) in recorded)
        {
            AgentFeed.Recorded(GrainFactory, state.State.Agent!, stored, opened);
        }

        AgentFeed.BatchOutcome(GrainFactory, state.State.Agent!, countedCost, month, crossed, state.State.Agent!.Status != agent.Status);
        return results;
    }

    /// <summary>
    /// The workspace's answer to counting a batch; a failed count is made once more with the same sequence numbers
    /// (the workspace takes back what the first attempt may have added). Null when that fails too.
    /// </summary>
    private async Task<MonthSpend?> CountedAsync(Task<MonthSpend> counting, long firstSequence, long lastSequence, decimal cost)
    {
        try
        {
            return await counting;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Agent {AgentId}: counting a batch's spend failed; counting it again", this.GetPrimaryKeyString());
        }

        try
        {
            var agent = state.State.Agent!;
            return await GrainFactory.GetGrain<IWorkspaceGrain>(agent.UserId).AddSpend(agent.Id, firstSequence, lastSequence, cost);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Agent {AgentId}: counting a batch's spend failed twice; its next batch counts it", this.GetPrimaryKeyString());
            return null;
        }
    }

    /// <summary>
    /// Stores the spend the workspace failed to count, for the next batch to count. If this write fails too the
    /// activation is dropped and the owed spend with it (the month stays short by it); the events are stored all the
    /// same, so the batch is still answered as stored.
    /// </summary>
    private async Task OweSpendAsync(UncountedSpend owed)
    {
        state.State.Uncounted = owed;
        try
        {
            await WriteAsync();
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Agent {AgentId}: storing spend of {Cost} its workspace did not count failed; the month misses it",
                this.GetPrimaryKeyString(), owed.Cost);
        }
    }
}
