namespace OrbitGrains.Agents;

/// <summary>
/// Spend of an agent's stored events that its workspace has not counted: the batch's write landed but both attempts at
/// <see cref="IWorkspaceGrain.AddSpend"/> failed. The agent's next batch counts it with its own, from
/// <paramref name="FirstSequence"/> on, so the workspace takes back whatever a failed attempt did add.
/// </summary>
/// <param name="FirstSequence">The first event sequence number not yet counted.</param>
/// <param name="LastSequence">The last one (the agent's events count when it was noted).</param>
/// <param name="Cost">The events' cost, in the unit of <see cref="NewAgentEvent.Cost"/>; may be 0 when only a take-back is owed.</param>
[GenerateSerializer, Immutable, Alias("OrbitGrains.Agents.UncountedSpend")]
public sealed record UncountedSpend([property: Id(0)] long FirstSequence, [property: Id(1)] long LastSequence, [property: Id(2)] decimal Cost);
