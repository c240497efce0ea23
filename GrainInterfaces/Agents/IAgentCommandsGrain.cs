using Orleans.Concurrency;

namespace OrbitGrains.Agents;

/// <summary>
/// The command queue of one agent [agent id] (spec: jarvis.md, `GET /v1/commands`, `POST /v1/commands/{id}/ack`): its
/// pending commands, the last acknowledged ones, and the long-polls waiting for the next. Only the agent's own
/// <see cref="IAgentGrain"/> queues commands, each with the agent's command sequence number, so a delivery repeated after
/// a failure or a crash queues nothing twice.
/// </summary>
[Alias("OrbitGrains.Agents.IAgentCommandsGrain")]
public interface IAgentCommandsGrain : IGrainWithStringKey
{
    /// <summary>Acknowledged commands the queue keeps (a repeated ack still finds its command); older ones are dropped.</summary>
    const int KeptAckedCommands = 100;

    /// <summary>
    /// Queues the commands whose sequence number is past the last one queued (the others came before and are skipped), in one
    /// write, then wakes every waiting long-poll.
    /// </summary>
    [Alias("Enqueue")]
    Task Enqueue(QueuedCommand[] commands);

    /// <summary>Pending commands created at or after <paramref name="since"/> (all when null), oldest first.</summary>
    [Alias("Pending")]
    Task<AgentCommand[]> Pending(DateTimeOffset? since);

    /// <summary>
    /// Waits until a command is queued (by whichever silo decided) or <paramref name="timeout"/> passes, then answers the
    /// pending commands, oldest first. Interleaves with the queue's other calls and writes nothing, so a waiting agent
    /// blocks no decision.
    /// </summary>
    [AlwaysInterleave, Alias("Listen")]
    Task<AgentCommand[]> Listen(TimeSpan timeout);

    /// <summary>Marks a command acknowledged and returns it; null when the queue has no such command.</summary>
    [Alias("Ack")]
    Task<AgentCommand?> Ack(string commandId);
}
