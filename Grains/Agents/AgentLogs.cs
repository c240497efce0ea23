using OrbitGrains.Rooms;

namespace OrbitGrains.Agents;

/// <summary>
/// Where an agent's two append-only paged logs keep their sealed pages: the agent seals them and its history reader
/// (<see cref="AgentHistoryGrain"/>) reads them, so both name a page here. The keys are stored grain ids: never change them.
/// </summary>
internal static class AgentLogs
{
    /// <summary>
    /// Events a sealed page holds. Small on purpose: the open page is rewritten with every batch an agent reports, so
    /// its size is the bytes every event write carries (200 entries a page, as the audit log has, made ingestion
    /// rewrite tens of KiB per event; docs/benchmarks.md, "Agents: event ingestion").
    /// </summary>
    public const int EventPageSize = 25;

    /// <summary>Decisions a sealed page holds: the paged log's default.</summary>
    public const int DecisionPageSize = PagedLog.PageSize;

    /// <summary>The sealed page <paramref name="page"/> (from 0) of the agent's events: `agent-events:{id}#{page}`.</summary>
    public static ISealedPageGrain<AgentEvent> EventPage(IGrainFactory grains, string agentId, long page) =>
        grains.GetGrain<ISealedPageGrain<AgentEvent>>(PagedLog.PageKey($"agent-events:{agentId}", page));

    /// <summary>The sealed page <paramref name="page"/> (from 0) of the agent's decisions: `agent-decisions:{id}#{page}`.</summary>
    public static ISealedPageGrain<DecidedTask> DecisionPage(IGrainFactory grains, string agentId, long page) =>
        grains.GetGrain<ISealedPageGrain<DecidedTask>>(PagedLog.PageKey($"agent-decisions:{agentId}", page));
}
