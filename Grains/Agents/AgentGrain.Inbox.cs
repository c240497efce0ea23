using System.Text.Json;
using OrbitGrains.Rooms;

namespace OrbitGrains.Agents;

/// <summary>
/// The agent's inbox: pending tasks in its state, decisions in an append-only paged log (read by
/// <see cref="AgentHistoryGrain"/>).
/// </summary>
public sealed partial class AgentGrain
{
    public async Task<DecisionResult> Decide(string userId, string taskId, string decision, string? comment)
    {
        if (Owned(userId) is not { } agent)
        {
            return new DecisionResult(DecisionOutcome.NotFound, null);
        }

        var index = state.State.Tasks.FindIndex(t => t.Id == taskId);
        if (index < 0)
        {
            // Not pending: decided before (it is in the log of decisions, whose lookup grain names this agent), or unknown.
            var known = await GrainFactory.GetGrain<IInboxTaskGrain>(taskId).Get() is { } location && location.AgentId == agent.Id;
            return new DecisionResult(known ? DecisionOutcome.AlreadyDecided : DecisionOutcome.NotFound, null);
        }

        var decided = await DecideAtAsync(index, decision, comment);

        // One write: the decision, the command (in the outbox) and the status are stored together or not at all.
        await WriteAsync();
        meter.Agents.Decided(decision);
        await DeliverAsync();
        AgentFeed.InboxChanged(GrainFactory, agent, "decided", decided);
        AgentFeed.StatusChanged(GrainFactory, state.State.Agent!);
        return new DecisionResult(DecisionOutcome.Decided, new InboxItem(decided, agent.Name));
    }

    /// <summary>
    /// Decides the pending task at <paramref name="index"/> in the state (not yet written): the task moves to the log of
    /// decisions, an `approval_decision` command is queued and the status follows the tasks still pending.
    /// </summary>
    private async Task<InboxTask> DecideAtAsync(int index, string decision, string? comment)
    {
        var agent = state.State.Agent!;
        var now = clock.GetUtcNow();
        var decided = state.State.Tasks[index] with { Status = decision, Comment = comment };
        state.State.Tasks.RemoveAt(index);
        var payload = JsonSerializer.Serialize(new Dictionary<string, string?> { ["decision"] = decision, ["comment"] = comment });
        QueueCommand("approval_decision", payload, decided.Id, now);
        state.State.Agent = agent with { Status = state.State.Tasks.Count > 0 ? AgentStatuses.WaitingApproval : AgentStatuses.Running };

        var sequence = state.State.DecidedCount + 1;
        state.State.OpenDecided.Add(new DecidedTask(sequence, decided));
        state.State.DecidedCount = sequence;
        if (state.State.OpenDecided.Count >= AgentLogs.DecisionPageSize)
        {
            // Sealed before the head forgets them: a crash in between leaves them in both, never in neither.
            await AgentLogs.DecisionPage(GrainFactory, agent.Id, PagedLog.PageOf(sequence, AgentLogs.DecisionPageSize))
                .Seal(state.State.OpenDecided.ToArray());
            state.State.OpenDecided.Clear();
        }

        return decided;
    }
}
