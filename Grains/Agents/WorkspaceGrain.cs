using OrbitGrains.Feeds;
using OrbitGrains.Hosting;

namespace OrbitGrains.Agents;

/// <remarks>
/// Inbox expiry is one durable reminder per workspace (not one per task): while any agent has a task that expires, it
/// ticks every <see cref="ExpiryPeriod"/> (the cluster's minimum reminder period when one is configured, else a
/// minute) and asks each agent whose noted expiry has passed to expire its due tasks; the agent answers with its next
/// expiry. So an item expires at most one period late, and after a restart at the reminder's next tick.
/// </remarks>
public sealed class WorkspaceGrain(
    [PersistentState("workspace", OrbitStorageNames.GrainState)] IPersistentState<WorkspaceGrain.State> state,
    TimeProvider clock,
    OrbitClusterSettings settings) : Grain, IWorkspaceGrain, IRemindable
{
    private const string ExpiryReminder = "inbox-expiry";

    /// <summary>Every write of the state: <see cref="AddSpend"/> interleaves, so its callers share writes.</summary>
    private readonly CoalescedWrites _writes = new(state.WriteStateAsync);

    private TimeSpan ExpiryPeriod => settings.MinimumReminderPeriod is { } minimum && minimum < TimeSpan.FromMinutes(1) ? minimum : TimeSpan.FromMinutes(1);

    public async Task<AgentRecord?> CreateAgent(string agentId, string name, string? description, string tokenHash)
    {
        if (!state.State.AgentIds.Contains(agentId))
        {
            if (state.State.AgentIds.Count >= IWorkspaceGrain.MaxAgents)
            {
                return null;
            }

            // Listed before it exists: a crash before Create leaves an id the list skips, never an agent nobody can see.
            if (state.State.AgentIds.Count == 0)
            {
                // No agent, so no task: the inbox index is complete from the start.
                state.State.InboxIndexed = true;
            }

            state.State.AgentIds.Add(agentId);
            await _writes.WriteAsync();
        }

        var userId = this.GetPrimaryKeyString();
        await GrainFactory.GetGrain<IAgentTokenGrain>(tokenHash).Issue(agentId, userId);
        return await GrainFactory.GetGrain<IAgentGrain>(agentId).Create(userId, name, description, tokenHash);
    }

    public Task<string[]> AgentIds() => Task.FromResult(state.State.AgentIds.ToArray());

    public async Task NoteInboxAgent(string agentId)
    {
        if (state.State.InboxAgents.Add(agentId))
        {
            await _writes.WriteAsync();
        }
    }

    public Task<string[]?> InboxAgentIds()
    {
        var complete = state.State.InboxIndexed || state.State.AgentIds.Count == 0;
        return Task.FromResult(complete ? state.State.AgentIds.Where(state.State.InboxAgents.Contains).ToArray() : null);
    }

    public async Task CompleteInboxIndex(string[] agentIds)
    {
        // A union: an agent that noted its first task while the caller was asking the others stays listed.
        var known = state.State.AgentIds.ToHashSet(StringComparer.Ordinal);
        state.State.InboxAgents.UnionWith(agentIds.Where(known.Contains));
        state.State.InboxIndexed = true;
        await _writes.WriteAsync();
    }

    public async Task<MonthSpend> AddSpend(string agentId, long firstSequence, long lastSequence, decimal cost)
    {
        var now = clock.GetUtcNow();
        var (month, day) = (SpendPeriods.Month(now), SpendPeriods.Day(now));
        var total = state.State.MonthKey == month ? state.State.MonthSpend : 0m;
        // The same batch counted again (its agent crashed before storing it): what it added before is taken back,
        // from the month if it is still this one and from the day it was counted on if that is still kept.
        var again = state.State.LastBatches.TryGetValue(agentId, out var last) && firstSequence <= last.Through;
        var takeBack = again && last!.Month == month ? last.Cost : 0m;
        var days = state.State.Days;
        var dayTakeBack = again && last!.Day is { } lastDay && days.ContainsKey(lastDay) ? last.Cost : 0m;
        if (cost == 0 && takeBack == 0 && dayTakeBack == 0)
        {
            return new MonthSpend(total, state.State.Budget);
        }

        state.State.MonthSpend = AgentCosts.Add(Math.Max(0m, total - takeBack), cost);
        state.State.MonthKey = month;
        if (dayTakeBack != 0)
        {
            days[last!.Day!] = Math.Max(0m, days[last.Day!] - dayTakeBack);
        }

        days[day] = AgentCosts.Add(days.GetValueOrDefault(day), cost);
        while (days.Count > IWorkspaceGrain.MaxSpendDays)
        {
            days.Remove(days.Keys.First());
        }

        state.State.LastBatches[agentId] = new SpentBatch(lastSequence, cost, month, day);
        // The month as this batch left it: calls that interleave while the write runs add theirs after it.
        var spent = new MonthSpend(state.State.MonthSpend, state.State.Budget);
        await _writes.WriteAsync();
        return spent;
    }

    public Task<MonthSpend> Month() => Task.FromResult(new MonthSpend(
        state.State.MonthKey == SpendPeriods.Month(clock.GetUtcNow()) ? state.State.MonthSpend : 0m, state.State.Budget));

    public Task<DaySpend[]> SpendDays(int days)
    {
        var today = clock.GetUtcNow();
        var count = Math.Clamp(days, 1, IWorkspaceGrain.MaxSpendDays);
        return Task.FromResult(Enumerable.Range(0, count)
            .Select(back => SpendPeriods.Day(today.AddDays(back - count + 1)))
            .Select(day => new DaySpend(day, state.State.Days.GetValueOrDefault(day)))
            .ToArray());
    }

    public async Task SetBudget(decimal? budget)
    {
        state.State.Budget = budget;
        await _writes.WriteAsync();
        var month = await Month();
        _ = GrainFactory.PublishAsync(this.GetPrimaryKeyString(), "spend", new { agentId = (string?)null, cost = 0m, monthly = month.Total, budget });
    }

    public async Task ExpireAt(string agentId, DateTimeOffset at)
    {
        if (state.State.Expiries.TryGetValue(agentId, out var noted) && noted <= at)
        {
            return;
        }

        state.State.Expiries[agentId] = at;
        await _writes.WriteAsync();
        await ArmAsync();
    }

    public async Task SetExpiry(string agentId, DateTimeOffset? next)
    {
        if (next is { } at)
        {
            state.State.Expiries[agentId] = at;
        }
        else if (!state.State.Expiries.Remove(agentId))
        {
            return;
        }

        await _writes.WriteAsync();
        if (state.State.Expiries.Count == 0)
        {
            await StopExpiryAsync();
        }
    }

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != ExpiryReminder)
        {
            return Task.CompletedTask;
        }

        if (state.State.Expiries.Count == 0)
        {
            return StopExpiryAsync();
        }

        // One-way: an agent that is recording an event may be waiting on this workspace, so the workspace never waits on
        // an agent. The agent answers with SetExpiry; a lost call is repeated at the next tick.
        var now = clock.GetUtcNow();
        foreach (var (agentId, _) in state.State.Expiries.Where(e => e.Value <= now))
        {
            _ = GrainFactory.GetGrain<IAgentGrain>(agentId).ExpireDue();
        }

        return Task.CompletedTask;
    }

    private async Task ArmAsync()
    {
        // The first tick comes when the earliest noted item is due (at most one period away), then every period.
        var earliest = state.State.Expiries.Values.Min();
        var due = earliest - clock.GetUtcNow();
        var period = ExpiryPeriod;
        due = due < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : due > period ? period : due;
        await this.RegisterOrUpdateReminder(ExpiryReminder, due, period);
    }

    private async Task StopExpiryAsync()
    {
        if (await this.GetReminder(ExpiryReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    [GenerateSerializer, Alias("OrbitGrains.Agents.WorkspaceGrain.State")]
    public sealed class State
    {
        [Id(0)] public List<string> AgentIds { get; set; } = [];
        [Id(1)] public decimal? Budget { get; set; }

        /// <summary>The UTC month (yyyy-MM) <see cref="MonthSpend"/> counts.</summary>
        [Id(2)] public string? MonthKey { get; set; }
        [Id(3)] public decimal MonthSpend { get; set; }

        /// <summary>Per agent with expiring tasks, the earliest expiry it noted; the reminder runs while this is not empty.</summary>
        [Id(4)] public Dictionary<string, DateTimeOffset> Expiries { get; set; } = new(StringComparer.Ordinal);

        /// <summary>Per agent, its last batch that was counted (bounded by the workspace's agents).</summary>
        [Id(5)] public Dictionary<string, SpentBatch> LastBatches { get; set; } = new(StringComparer.Ordinal);

        /// <summary>Spend per UTC day (yyyy-MM-dd), the newest <see cref="IWorkspaceGrain.MaxSpendDays"/> days that had any.</summary>
        [Id(6)] public SortedDictionary<string, decimal> Days { get; set; } = new(StringComparer.Ordinal);

        /// <summary>The inbox index: agents that noted inbox tasks (bounded by the workspace's agents).</summary>
        [Id(7)] public HashSet<string> InboxAgents { get; set; } = new(StringComparer.Ordinal);

        /// <summary>
        /// True once <see cref="InboxAgents"/> lists every agent with tasks: set with the first agent, or by the first
        /// inbox list of a workspace whose agents had tasks before the index was kept.
        /// </summary>
        [Id(8)] public bool InboxIndexed { get; set; }
    }

    /// <summary>The last counted batch of an agent: its last sequence number, its cost, its UTC month and day (null in rows written before days were kept).</summary>
    [GenerateSerializer, Immutable, Alias("OrbitGrains.Agents.WorkspaceGrain.SpentBatch")]
    public sealed record SpentBatch([property: Id(0)] long Through, [property: Id(1)] decimal Cost, [property: Id(2)] string Month, [property: Id(3)] string? Day = null);
}
