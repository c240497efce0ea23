using OrbitGrains.Feeds;

namespace OrbitGrains.Agents;

/// <summary>What the agent tells as it happens: commands to a long-polling agent, changes to its owner's live feed.</summary>
public sealed partial class AgentGrain
{
    // Completed (and replaced) whenever a command is queued; every waiting long-poll shares it.
    private TaskCompletionSource? _commandQueued;

    public async Task<AgentCommand[]> Listen(TimeSpan timeout)
    {
        if (Pending(null) is { Length: > 0 } pending || timeout <= TimeSpan.Zero)
        {
            return Pending(null);
        }

        _commandQueued ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // Real time, not the product clock: this bounds a connection, it is not a domain deadline.
        using var cancel = new CancellationTokenSource();
        var woken = _commandQueued.Task;
        if (await Task.WhenAny(woken, Task.Delay(timeout, cancel.Token)) == woken)
        {
            await cancel.CancelAsync();
        }

        return Pending(null);
    }

    private AgentCommand[] Pending(DateTimeOffset? since) =>
        state.State.Commands.Where(c => c.Status == CommandStatuses.Pending && (since is null || c.CreatedAt >= since)).ToArray();

    /// <summary>Wakes every waiting long-poll; called after a write that queued a command.</summary>
    private void CommandsQueued()
    {
        _commandQueued?.TrySetResult();
        _commandQueued = null;
    }

    /// <summary>Puts an entry on the owner's live feed (one-way: never delays or fails the change it reports).</summary>
    private void Publish(string type, object data)
    {
        if (state.State.Agent is { } agent)
        {
            _ = GrainFactory.PublishAsync(agent.UserId, type, data);
        }
    }

    /// <summary>The feed entries of a recorded event: the event and the task it opened.</summary>
    private void PublishRecorded(AgentEvent stored, InboxTask? opened)
    {
        Publish("agent_event", AgentFeed.Event(stored));
        if (opened is not null)
        {
            Publish("inbox", new { action = "opened", item = AgentFeed.Item(opened, state.State.Agent!.Name) });
        }
    }

    /// <summary>The feed entries of a stored batch as a whole: its spend, a crossed budget, the new status.</summary>
    private void PublishBatchOutcome(decimal cost, MonthSpend? month, bool crossedBudget, bool statusChanged)
    {
        var agent = state.State.Agent!;
        if (month is not null)
        {
            Publish("spend", new { agentId = agent.Id, cost, monthly = month.Total, budget = month.Budget });
        }

        if (crossedBudget)
        {
            CommandsQueued();
            Publish("budget_exceeded", new { agentId = agent.Id, monthly = month!.Total, budget = month.Budget });
        }

        if (statusChanged)
        {
            Publish("agent_status", AgentFeed.Status(agent));
        }
    }
}
