using OrbitGrains.Hosting;

namespace OrbitGrains.Accounts;

public sealed class PasskeyCredentialGrain(
    [PersistentState("passkey-credential", OrbitStorageNames.GrainState)] IPersistentState<PasskeyCredentialGrain.State> state)
    : Grain, IPasskeyCredentialGrain
{
    public async Task<bool> Claim(string userId)
    {
        if (state.RecordExists)
        {
            return state.State.UserId == userId;
        }

        state.State = new State { UserId = userId };
        await state.WriteStateAsync();
        return true;
    }

    public Task<string?> Owner() => Task.FromResult(state.RecordExists ? state.State.UserId : null);

    public async Task Release(string userId)
    {
        if (state.RecordExists && state.State.UserId == userId)
        {
            await state.ClearStateAsync();
        }
    }

    [GenerateSerializer, Alias("OrbitGrains.Accounts.PasskeyCredentialGrain.State")]
    public sealed class State
    {
        [Id(0)] public string UserId { get; set; } = "";
    }
}
