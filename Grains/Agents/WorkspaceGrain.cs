using OrbitGrains.Hosting;

namespace OrbitGrains.Agents;

public sealed class WorkspaceGrain(
    [PersistentState("workspace", OrbitStorageNames.GrainState)] IPersistentState<WorkspaceGrain.State> state) : Grain, IWorkspaceGrain
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

    [GenerateSerializer, Alias("OrbitGrains.Agents.WorkspaceGrain.State")]
    public sealed class State
    {
        [Id(0)] public List<string> AgentIds { get; set; } = [];
    }
}
