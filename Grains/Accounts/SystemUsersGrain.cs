using OrbitGrains.Hosting;

namespace OrbitGrains.Accounts;

public sealed class SystemUsersGrain(
    [PersistentState("system-users", OrbitStorageNames.GrainState)] IPersistentState<SystemUsersGrain.State> state)
    : Grain, ISystemUsersGrain
{
    public async Task<bool> Enrol(string userId)
    {
        if (state.State.FirstUserId is { } first)
        {
            return first == userId;
        }

        state.State.FirstUserId = userId;
        await state.WriteStateAsync();
        return true;
    }

    public Task<bool> HasUsers() => Task.FromResult(state.State.FirstUserId is not null);

    public Task<string?> FirstUser() => Task.FromResult(state.State.FirstUserId);

    [GenerateSerializer, Alias("OrbitGrains.Accounts.SystemUsersGrain.State")]
    public sealed class State
    {
        [Id(0)] public string? FirstUserId { get; set; }
    }
}
