using Microsoft.Extensions.Logging;
using OrbitGrains.Shared;

namespace OrbitGrains.Agents;

/// <remarks>
/// Commands leave the agent through an outbox: a change that queues one (a decision, an expiry, a crossed budget) stores
/// it in the same write as the rest of the change, so the decision, its command and the status are stored together or
/// not at all. Only then is the outbox handed to the agent's queue (<see cref="IAgentCommandsGrain"/>), which skips the
/// sequence numbers it already holds. A hand-over that fails or never happens (the silo died right after the write) is
/// repeated when the agent is next activated and before every command read, which a polling agent makes anyway.
/// </remarks>
public sealed partial class AgentGrain
{
    private IAgentCommandsGrain Queue => GrainFactory.GetGrain<IAgentCommandsGrain>(this.GetPrimaryKeyString());

    public override Task OnActivateAsync(CancellationToken cancellationToken) => DeliverAsync();

    public async Task<AgentCommand[]> PendingCommands(DateTimeOffset? since)
    {
        await SeenAsync(write: false);
        await DeliverAsync();
        return await Queue.Pending(since);
    }

    public async Task<AgentCommand?> Ack(string commandId)
    {
        await DeliverAsync();
        var command = await Queue.Ack(commandId);
        await SeenAsync(write: command is not null);
        return command;
    }

    /// <summary>Puts a new command in the outbox; it is stored by the caller's next write and delivered after it.</summary>
    private void QueueCommand(string kind, string payload, string? sourceTaskId, DateTimeOffset now)
    {
        var command = new AgentCommand(IssuedIds.New(), this.GetPrimaryKeyString(), kind, payload, CommandStatuses.Pending, now, sourceTaskId);
        state.State.Outbox.Add(new QueuedCommand(++state.State.CommandsIssued, command));
    }

    /// <summary>
    /// Hands the outbox to the queue, which wakes its long-polls. Cleared here in memory only: the stored copy goes with
    /// the next write, and delivering it again after a restart queues nothing twice. A failure is logged and left for the
    /// next attempt: the change that queued the command is stored already and stands.
    /// </summary>
    private async Task DeliverAsync()
    {
        if (state.State.Outbox.Count == 0)
        {
            return;
        }

        try
        {
            await Queue.Enqueue(state.State.Outbox.ToArray());
            state.State.Outbox.Clear();
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Agent {AgentId} could not hand {Count} stored command(s) to its queue; they go with its next command read",
                this.GetPrimaryKeyString(), state.State.Outbox.Count);
        }
    }
}
