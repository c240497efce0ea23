namespace OrbitGrains.Agents;

/// <summary>Inbox expiry: a pending task past its `expiresAt` is decided as rejected with comment "expired".</summary>
public sealed partial class AgentGrain
{
    public const string ExpiredComment = "expired";

    public async Task ExpireDue()
    {
        if (state.State.Agent is not { } agent)
        {
            // Only an existing agent notes expiries with its workspace.
            return;
        }

        var now = clock.GetUtcNow();
        var expired = new List<InboxTask>();
        for (var index = state.State.Tasks.FindIndex(t => t.ExpiresAt <= now); index >= 0; index = state.State.Tasks.FindIndex(t => t.ExpiresAt <= now))
        {
            expired.Add(await DecideAtAsync(index, InboxStatuses.Rejected, ExpiredComment));
        }

        if (expired.Count > 0)
        {
            // One write for every task that expired, with their commands and the status.
            await WriteAsync();
            await DeliverAsync();
            foreach (var task in expired)
            {
                AgentFeed.InboxChanged(GrainFactory, agent, "expired", task);
            }

            AgentFeed.StatusChanged(GrainFactory, state.State.Agent!);
        }

        var next = state.State.Tasks.Where(t => t.ExpiresAt is not null).Select(t => t.ExpiresAt).Min();
        await GrainFactory.GetGrain<IWorkspaceGrain>(agent.UserId).SetExpiry(agent.Id, next);
    }
}
