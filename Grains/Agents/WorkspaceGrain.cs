using OrbitGrains.Hosting;

namespace OrbitGrains.Agents;

public sealed class WorkspaceGrain(
    [PersistentState("workspace", OrbitStorageNames.GrainState)] IPersistentState<WorkspaceGrain.State> state,
    TimeProvider clock) : Grain, IWorkspaceGrain
{
    public async Task<AgentRecord?> CreateAgent(string agentId, string name, string? description, string tokenHash)
    {
        if (!state.State.AgentIds.Contains(agentId))
        {
            if (state.State.AgentIds.Count >= IWorkspaceGrain.MaxAgents)
            {
                return null;
            }

            // Listed before it exists: a crash before Create leaves an id the list skips, never an agent nobody can see.
            state.State.AgentIds.Add(agentId);
            await state.WriteStateAsync();
        }

        var userId = this.GetPrimaryKeyString();
        await GrainFactory.GetGrain<IAgentTokenGrain>(tokenHash).Issue(agentId, userId);
        return await GrainFactory.GetGrain<IAgentGrain>(agentId).Create(userId, name, description, tokenHash);
    }

    public Task<string[]> AgentIds() => Task.FromResult(state.State.AgentIds.ToArray());

    public async Task<MonthSpend> AddSpend(decimal cost)
    {
        var month = SpendPeriods.Month(clock.GetUtcNow());
        state.State.MonthSpend = (state.State.MonthKey == month ? state.State.MonthSpend : 0m) + cost;
        state.State.MonthKey = month;
        await state.WriteStateAsync();
        return new MonthSpend(state.State.MonthSpend, state.State.Budget);
    }

    public Task<MonthSpend> Month() => Task.FromResult(new MonthSpend(
        state.State.MonthKey == SpendPeriods.Month(clock.GetUtcNow()) ? state.State.MonthSpend : 0m, state.State.Budget));

    public async Task SetBudget(decimal? budget)
    {
        state.State.Budget = budget;
        await state.WriteStateAsync();
    }

    [GenerateSerializer, Alias("OrbitGrains.Agents.WorkspaceGrain.State")]
    public sealed class State
    {
        [Id(0)] public List<string> AgentIds { get; set; } = [];
        [Id(1)] public decimal? Budget { get; set; }

        /// <summary>The UTC month (yyyy-MM) <see cref="MonthSpend"/> counts.</summary>
        [Id(2)] public string? MonthKey { get; set; }
        [Id(3)] public decimal MonthSpend { get; set; }
    }
}
