using OrbitGrains.Hosting;

namespace OrbitGrains.Accounts;

public sealed class UserCodeGrain(
    [PersistentState("user-code", OrbitStorageNames.GrainState)] IPersistentState<UserCodeGrain.State> state,
    TimeProvider clock) : Grain, IUserCodeGrain, IRemindable
{
    public async Task<bool> Bind(string deviceCodeHash, DateTimeOffset expiresAt)
    {
        if (await state.IsLiveAsync(clock, this))
        {
            return state.State.DeviceCodeHash == deviceCodeHash;
        }

        state.State = new State { DeviceCodeHash = deviceCodeHash, ExpiresAt = expiresAt };
        await state.WriteExpiringAsync(clock, this);
        return true;
    }

    public async Task<bool> Authorise(string userId) =>
        await state.IsLiveAsync(clock, this)
        && await GrainFactory.GetGrain<IDeviceCodeGrain>(state.State.DeviceCodeHash).Authorise(userId);

    public Task ReceiveReminder(string reminderName, TickStatus status) => state.OnExpiryReminderAsync(clock, this);

    [GenerateSerializer, Alias("OrbitGrains.Accounts.UserCodeGrain.State")]
    public sealed class State : IExpiringState
    {
        [Id(0)] public string DeviceCodeHash { get; set; } = "";
        [Id(1)] public DateTimeOffset ExpiresAt { get; set; }
    }
}
