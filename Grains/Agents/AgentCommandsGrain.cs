using OrbitGrains.Hosting;

namespace OrbitGrains.Agents;

/// <summary>The command queue of one agent (see <see cref="IAgentCommandsGrain"/>); its agent alone feeds it, from its outbox.</summary>
public sealed class AgentCommandsGrain(
    [PersistentState("agent-commands", OrbitStorageNames.GrainState)] IPersistentState<AgentCommandsGrain.State> state) : Grain, IAgentCommandsGrain
{
    // Completed (and replaced) whenever a command is queued; every waiting long-poll shares it.
    private TaskCompletionSource? _queued;

    // The pending commands as last stored: a long-poll interleaves with a write in flight and must not hand out a
    // command that write may yet fail to store.
    private AgentCommand[] _stored = [];

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _stored = PendingSince(null);
        return Task.CompletedTask;
    }

    public async Task Enqueue(QueuedCommand[] commands)
    {
        var fresh = commands.Where(c => c.Sequence > state.State.Through).OrderBy(c => c.Sequence).ToArray();
        if (fresh.Length == 0)
        {
            return;
        }

        state.State.Commands.AddRange(fresh.Select(c => c.Command));
        state.State.Through = fresh[^1].Sequence;
        await WriteAsync();

        _queued?.TrySetResult();
        _queued = null;
    }

    public Task<AgentCommand[]> Pending(DateTimeOffset? since) => Task.FromResult(PendingSince(since));

    public async Task<AgentCommand[]> Listen(TimeSpan timeout)
    {
        if (_stored.Length > 0 || timeout <= TimeSpan.Zero)
        {
            return _stored;
        }

        _queued ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // Real time, not the product clock: this bounds a connection, it is not a domain deadline.
        using var cancel = new CancellationTokenSource();
        var woken = _queued.Task;
        if (await Task.WhenAny(woken, Task.Delay(timeout, cancel.Token)) == woken)
        {
            await cancel.CancelAsync();
        }

        return _stored;
    }

    public async Task<AgentCommand?> Ack(string commandId)
    {
        var index = state.State.Commands.FindIndex(c => c.Id == commandId);
        if (index < 0)
        {
            return null;
        }

        var command = state.State.Commands[index];
        if (command.Status == CommandStatuses.Acked)
        {
            return command;
        }

        state.State.Commands[index] = command = command with { Status = CommandStatuses.Acked };
        if (state.State.Commands.Count(c => c.Status == CommandStatuses.Acked) > IAgentCommandsGrain.KeptAckedCommands)
        {
            state.State.Commands.RemoveAt(state.State.Commands.FindIndex(c => c.Status == CommandStatuses.Acked));
        }

        await WriteAsync();
        return command;
    }

    /// <summary>
    /// Writes the state; when the write fails, the activation is dropped so that what was not stored is not seen either
    /// (the agent delivers an unstored command again, and it must not look queued before then).
    /// </summary>
    private async Task WriteAsync()
    {
        try
        {
            await state.WriteStateAsync();
            _stored = PendingSince(null);
        }
        catch
        {
            DeactivateOnIdle();
            throw;
        }
    }

    private AgentCommand[] PendingSince(DateTimeOffset? since) =>
        state.State.Commands.Where(c => c.Status == CommandStatuses.Pending && (since is null || c.CreatedAt >= since)).ToArray();

    [GenerateSerializer, Alias("OrbitGrains.Agents.AgentCommandsGrain.State")]
    public sealed class State
    {
        /// <summary>Pending commands, then the last <see cref="IAgentCommandsGrain.KeptAckedCommands"/> acknowledged ones, in creation order.</summary>
        [Id(0)] public List<AgentCommand> Commands { get; set; } = [];

        /// <summary>The sequence number of the last command queued.</summary>
        [Id(1)] public long Through { get; set; }
    }
}
