using OrbitGrains.Hosting;

namespace OrbitGrains.Agents;

public sealed class InboxTaskGrain(
    [PersistentState("inbox-task", OrbitStorageNames.GrainState)] IPersistentState<InboxTaskGrain.State> state) : Grain, IInboxTaskGrain
{
    public async Task Set(InboxTaskLocation location)
    {
        state.State.Location = location;
        await state.WriteStateAsync();
    }

    public Task<InboxTaskLocation?> Get() => Task.FromResult(state.State.Location);

    [GenerateSerializer, Alias("OrbitGrains.Agents.InboxTaskGrain.State")]
    public sealed class State
    {
        [Id(0)] public InboxTaskLocation? Location { get; set; }
    }
}
