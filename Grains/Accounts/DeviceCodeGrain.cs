using OrbitGrains.Hosting;

namespace OrbitGrains.Accounts;

public sealed class DeviceCodeGrain(
    [PersistentState("device-code", OrbitStorageNames.GrainState)] IPersistentState<DeviceCodeGrain.State> state,
    TimeProvider clock) : Grain, IDeviceCodeGrain, IRemindable
{
    public async Task Start(string userCode, DateTimeOffset expiresAt)
    {
        state.State = new State { UserCode = userCode, ExpiresAt = expiresAt };
        await state.WriteExpiringAsync(clock, this);
    }

    public async Task<bool> Authorise(string userId)
    {
        if (!await state.IsLiveAsync(clock, this))
        {
            return false;
        }

        if (state.State.AuthorisedUserId is { } existing)
        {
            return existing == userId;
        }

        state.State.AuthorisedUserId = userId;
        await state.WriteStateAsync();
        return true;
    }

    public async Task<DevicePoll> Poll()
    {
        if (!await state.IsLiveAsync(clock, this))
        {
            return new DevicePoll(DeviceCodeStatus.Expired, null);
        }

        if (state.State.AuthorisedUserId is not { } userId)
        {
            return new DevicePoll(DeviceCodeStatus.Pending, null);
        }

        // Consumed by clearing: a second poll then looks like an unknown code, which the contract answers "expired".
        await state.EndAsync(this);
        return new DevicePoll(DeviceCodeStatus.Authorised, userId);
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) => state.OnExpiryReminderAsync(clock, this);

    [GenerateSerializer, Alias("OrbitGrains.Accounts.DeviceCodeGrain.State")]
    public sealed class State : IExpiringState
    {
        [Id(0)] public string UserCode { get; set; } = "";
        [Id(1)] public DateTimeOffset ExpiresAt { get; set; }
        [Id(2)] public string? AuthorisedUserId { get; set; }
    }
}
