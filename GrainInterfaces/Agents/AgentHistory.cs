namespace OrbitGrains.Agents;

/// <summary>
/// What of its events and inbox an agent keeps in its state, as one consistent snapshot (<see cref="IAgentGrain.History"/>):
/// everything older is in sealed pages, which never change. A part not asked for is empty.
/// </summary>
/// <param name="Agent">The agent; <see cref="AgentRecord.EventsCount"/> is the sequence number of its newest event.</param>
/// <param name="OpenEvents">The open page of events (those after the last sealed page), oldest first.</param>
/// <param name="PendingTasks">The newest pending inbox tasks, newest first, as many as were asked for.</param>
/// <param name="DecidedCount">The sequence number of the newest decided task.</param>
/// <param name="OpenDecided">The open page of decisions (those after the last sealed page), oldest first.</param>
[GenerateSerializer, Immutable, Alias("OrbitGrains.Agents.AgentHistory")]
public sealed record AgentHistory(
    [property: Id(0)] AgentRecord Agent,
    [property: Id(1)] AgentEvent[] OpenEvents,
    [property: Id(2)] InboxTask[] PendingTasks,
    [property: Id(3)] long DecidedCount,
    [property: Id(4)] DecidedTask[] OpenDecided);
