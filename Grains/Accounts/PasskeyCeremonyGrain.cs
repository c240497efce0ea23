using OrbitGrains.Hosting;

namespace OrbitGrains.Accounts;

public sealed class PasskeyCeremonyGrain(
    [PersistentState("passkey-ceremony", OrbitStorageNames.GrainState)] IPersistentState<PasskeyCeremonyGrain.State> state,
    TimeProvider clock) : Grain, IPasskeyCeremonyGrain
{
    public async Task Start(PasskeyCeremony ceremony)
    {
        state.State = new State { Ceremony = ceremony };
        await state.WriteStateAsync();
    }

    public async Task<PasskeyCeremonyTake> Take()
    {
        if (!state.RecordExists || state.State.Ceremony is not { } ceremony)
        {
            return new PasskeyCeremonyTake(PasskeyCeremonyStatus.Missing, null);
        }

        // Cleared before answering, so a replayed response finds nothing whatever the first one's outcome.
        await state.ClearStateAsync();
        this.DeactivateOnIdle();
        return clock.GetUtcNow() < ceremony.ExpiresAt
            ? new PasskeyCeremonyTake(PasskeyCeremonyStatus.Live, ceremony)
            : new PasskeyCeremonyTake(PasskeyCeremonyStatus.Expired, null);
    }

    [GenerateSerializer, Alias("OrbitGrains.Accounts.PasskeyCeremonyGrain.State")]
    public sealed class State
    {
        [Id(0)] public PasskeyCeremony? Ceremony { get; set; }
    }
}
