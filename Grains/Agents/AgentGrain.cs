using Microsoft.Extensions.Logging;
using OrbitGrains.Hosting;
using OrbitGrains.Shared;
using OrbitGrains.Telemetry;

namespace OrbitGrains.Agents;

public sealed partial class AgentGrain(
    [PersistentState("agent", OrbitStorageNames.GrainState)] IPersistentState<AgentState> state,
    TimeProvider clock,
    OrbitMeter meter,
    ILogger<AgentGrain> logger) : Grain, IAgentGrain
{
    /// <summary>Last seen is kept to the minute for reads: an agent polling in a tight loop must not write on every call.</summary>
    private static readonly TimeSpan LastSeenResolution = TimeSpan.FromMinutes(1);

    public async Task<AgentRecord> Create(string userId, string name, string? description, string tokenHash)
    {
        if (state.State.Agent is { } existing)
        {
            return existing;
        }

        state.State.Agent = new AgentRecord(this.GetPrimaryKeyString(), userId, name, description, AgentStatuses.Idle, 0m, null, tokenHash, 0, clock.GetUtcNow());
        await WriteAsync();
        return state.State.Agent;
    }

    public Task<AgentRecord?> Get(string userId) => Task.FromResult(Owned(userId));

    public async Task<AgentRecord?> SetStatus(string userId, string status)
    {
        if (Owned(userId) is not { } agent)
        {
            return null;
        }

        if (agent.Status != status)
        {
            state.State.Agent = agent with { Status = status };
            await WriteAsync();
            AgentFeed.StatusChanged(GrainFactory, state.State.Agent);
        }

        return state.State.Agent;
    }

    public async Task<bool> RevokeToken(string userId)
    {
        if (Owned(userId) is not { } agent)
        {
            return false;
        }

        if (agent.TokenHash is { } hash)
        {
            // The token dies first: from here on no request carrying it is accepted, whatever happens to this write.
            await GrainFactory.GetGrain<IAgentTokenGrain>(hash).Revoke();
            state.State.Agent = agent with { TokenHash = null };
            await WriteAsync();
        }

        return true;
    }

    public async Task<AgentRecord?> RotateToken(string userId, string newTokenHash)
    {
        if (Owned(userId) is not { } agent)
        {
            return null;
        }

        await GrainFactory.GetGrain<IAgentTokenGrain>(newTokenHash).Issue(agent.Id, userId);
        if (agent.TokenHash is { } old)
        {
            await GrainFactory.GetGrain<IAgentTokenGrain>(old).Revoke();
        }

        state.State.Agent = agent with { TokenHash = newTokenHash };
        await WriteAsync();
        return state.State.Agent;
    }

    public Task<AgentHistory?> History(string userId, bool events, int pendingTasks, bool decisions) =>
        Task.FromResult<AgentHistory?>(Owned(userId) is not { } agent ? null : new AgentHistory(agent,
            events ? [.. state.State.OpenEvents] : [],
            [.. Enumerable.Reverse(state.State.Tasks).Take(pendingTasks)],
            state.State.DecidedCount,
            decisions ? [.. state.State.OpenDecided] : []));

    /// <summary>
    /// Writes the state; when the write fails, the activation is dropped so the next call reads the stored state again
    /// and a change that was not stored is not seen either (a decision's parts are stored together or not at all).
    /// </summary>
    private async Task WriteAsync()
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            DeactivateOnIdle();
            throw;
        }
    }

    public Task<AgentSpend?> Spend(string userId)
    {
        if (Owned(userId) is not { } agent)
        {
            return Task.FromResult<AgentSpend?>(null);
        }

        var now = clock.GetUtcNow();
        return Task.FromResult<AgentSpend?>(new AgentSpend(agent.Id, agent.Name,
            state.State.DayKey == SpendPeriods.Day(now) ? state.State.DaySpend : 0m,
            state.State.MonthKey == SpendPeriods.Month(now) ? state.State.MonthSpend : 0m));
    }

    private void CountSpend(DateTimeOffset now, decimal cost)
    {
        var day = SpendPeriods.Day(now);
        var month = SpendPeriods.Month(now);
        state.State.DaySpend = AgentCosts.Add(state.State.DayKey == day ? state.State.DaySpend : 0m, cost);
        state.State.DayKey = day;
        state.State.MonthSpend = AgentCosts.Add(state.State.MonthKey == month ? state.State.MonthSpend : 0m, cost);
        state.State.MonthKey = month;
    }

    private AgentRecord? Owned(string userId) => state.State.Agent is { } agent && agent.UserId == userId ? agent : null;

    /// <summary>Records the agent's visit; written now when <paramref name="write"/>, else only when the stored one is a minute old.</summary>
    private async Task SeenAsync(bool write)
    {
        if (state.State.Agent is not { } agent)
        {
            return;
        }

        var now = clock.GetUtcNow();
        var stale = agent.LastSeen is not { } last || now - last >= LastSeenResolution;
        if (write || stale)
        {
            state.State.Agent = agent with { LastSeen = now };
            await WriteAsync();
        }
    }
}
