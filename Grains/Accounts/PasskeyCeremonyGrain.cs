using OrbitGrains.Hosting;

namespace OrbitGrains.Accounts;

public sealed class PasskeyCeremonyGrain(
    [PersistentState("passkey-ceremony", OrbitStorageNames.GrainState)] IPersistentState<PasskeyCeremonyGrain.State> state,
    TimeProvider clock) : Grain, IPasskeyCeremonyGrain, IRemindable
{
    public async Task Start(PasskeyCeremony ceremony)
    {
        state.State = new State { Ceremony = ceremony };
        // A ceremony nobody finishes is removed by its reminder at expiry: abandoned sign-ups leave no row.
        await state.WriteExpiringAsync(clock, this);
    }

    public async Task<PasskeyCeremonyTake> Take()
    {
        if (!state.RecordExists || state.State.Ceremony is not { } ceremony)
        {
            return new PasskeyCeremonyTake(PasskeyCeremonyStatus.Missing, null);
        }

        // Cleared before answering, so a replayed response finds nothing whatever the first one's outcome.
        await state.EndAsync(this);
        return clock.GetUtcNow() < ceremony.ExpiresAt
            ? new PasskeyCeremonyTake(PasskeyCeremonyStatus.Live, ceremony)
            : new PasskeyCeremonyTake(PasskeyCeremonyStatus.Expired, null);
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) => state.OnExpiryReminderAsync(clock, this);

    [GenerateSerializer, Alias("OrbitGrains.Accounts.PasskeyCeremonyGrain.State")]
    public sealed class State : IExpiringState
    {
        [Id(0)] public PasskeyCeremony? Ceremony { get; set; }

        public DateTimeOffset ExpiresAt => Ceremony?.ExpiresAt ?? DateTimeOffset.MinValue;
    }
}
