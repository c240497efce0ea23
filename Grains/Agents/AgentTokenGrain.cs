using OrbitGrains.Hosting;

namespace OrbitGrains.Agents;

public sealed class AgentTokenGrain(
    [PersistentState("agent-token", OrbitStorageNames.GrainState)] IPersistentState<AgentTokenGrain.State> state) : Grain, IAgentTokenGrain
{
    public async Task Issue(string agentId, string userId)
    {
        state.State = new State { AgentId = agentId, UserId = userId };
        await state.WriteStateAsync();
    }

    public Task<AgentTokenOwner?> Owner() => Task.FromResult(
        state.RecordExists && !state.State.Revoked ? new AgentTokenOwner(state.State.AgentId, state.State.UserId) : null);

    public async Task Revoke()
    {
        if (state.RecordExists && !state.State.Revoked)
        {
            state.State.Revoked = true;
            await state.WriteStateAsync();
        }
    }

    [GenerateSerializer, Alias("OrbitGrains.Agents.AgentTokenGrain.State")]
    public sealed class State
    {
        [Id(0)] public string AgentId { get; set; } = "";
        [Id(1)] public string UserId { get; set; } = "";
        [Id(2)] public bool Revoked { get; set; }
    }
}
