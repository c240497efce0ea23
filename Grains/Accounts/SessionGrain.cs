using OrbitGrains.Hosting;

namespace OrbitGrains.Accounts;

public sealed class SessionGrain(
    [PersistentState("session", OrbitStorageNames.GrainState)] IPersistentState<SessionGrain.State> state,
    TimeProvider clock) : Grain, ISessionGrain, IRemindable
{
    public async Task Start(SessionStart session)
    {
        state.State = new State { UserId = session.UserId, FamilyId = session.FamilyId, ExpiresAt = session.ExpiresAt };
        await state.WriteExpiringAsync(clock, this);
    }

    public async Task<SessionStart?> GetLive() => await state.IsLiveAsync(clock, this)
        ? new SessionStart(state.State.UserId, state.State.FamilyId, state.State.ExpiresAt)
        : null;

    // A revoked session has nothing left worth keeping: absence already means "not live". Front ends may hold the
    // session as live in memory (WebSessionCache), so the account's watchers hear of it before this returns.
    public async Task Revoke()
    {
        var userId = state.RecordExists ? state.State.UserId : null;
        await state.EndAsync(this);
        if (!string.IsNullOrEmpty(userId))
        {
            await GrainFactory.GetGrain<IUserGrain>(userId).SessionEnded(this.GetPrimaryKeyString());
        }
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) => state.OnExpiryReminderAsync(clock, this);

    [GenerateSerializer, Alias("OrbitGrains.Accounts.SessionGrain.State")]
    public sealed class State : IExpiringState
    {
        [Id(0)] public string UserId { get; set; } = "";
        [Id(1)] public string FamilyId { get; set; } = "";
        [Id(2)] public DateTimeOffset ExpiresAt { get; set; }
    }
}
