using OrbitGrains.Rooms;

namespace OrbitGrains.Agents;

/// <summary>What an <see cref="AgentGrain"/> stores; its ids and alias stay as they are, so stored states still read.</summary>
[GenerateSerializer, Alias("OrbitGrains.Agents.AgentState")]
public sealed class AgentState
{
    [Id(0)] public AgentRecord? Agent { get; set; }

    /// <summary>Events of the page being filled; full pages move to their own sealed grain (<see cref="PagedLog"/>).</summary>
    [Id(1)] public List<AgentEvent> OpenEvents { get; set; } = [];

    /// <summary>Pending inbox tasks, oldest first; a decided one moves to the log of decisions.</summary>
    [Id(2)] public List<InboxTask> Tasks { get; set; } = [];

    // Id 3 held the command queue before it became its own grain (IAgentCommandsGrain); it is not reused.

    [Id(4)] public long DecidedCount { get; set; }

    /// <summary>Decisions of the page being filled; full pages move to their own sealed grain.</summary>
    [Id(5)] public List<DecidedTask> OpenDecided { get; set; } = [];

    /// <summary>The UTC day (yyyy-MM-dd) <see cref="DaySpend"/> counts, and the UTC month (yyyy-MM) <see cref="MonthSpend"/> counts.</summary>
    [Id(6)] public string? DayKey { get; set; }
    [Id(7)] public decimal DaySpend { get; set; }
    [Id(8)] public string? MonthKey { get; set; }
    [Id(9)] public decimal MonthSpend { get; set; }

    /// <summary>Commands stored with the change that queued them and not yet handed to the agent's queue, oldest first.</summary>
    [Id(10)] public List<QueuedCommand> Outbox { get; set; } = [];

    /// <summary>The sequence number of the agent's last command (see <see cref="QueuedCommand"/>).</summary>
    [Id(11)] public long CommandsIssued { get; set; }

    /// <summary>True once the workspace's inbox index lists this agent (noted before its first task was stored).</summary>
    [Id(12)] public bool InInboxIndex { get; set; }

    /// <summary>Spend of stored events the workspace failed to count; the next batch counts it (null: none owed).</summary>
    [Id(13)] public UncountedSpend? Uncounted { get; set; }
}
