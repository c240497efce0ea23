using OrbitGrains.Hosting;

namespace OrbitGrains.Accounts;

public sealed class SessionFamilyGrain(
    [PersistentState("session-family", OrbitStorageNames.GrainState)] IPersistentState<SessionFamilyGrain.State> state,
    TimeProvider clock) : Grain, ISessionFamilyGrain, IRemindable
{
    public async Task<bool> Add(string sessionId, DateTimeOffset sessionExpiresAt, DateTimeOffset keepUntil)
    {
        var live = await state.IsLiveAsync(clock, this);
        if (live && state.State.Revoked)
        {
            await GrainFactory.GetGrain<ISessionGrain>(sessionId).Revoke();
            return false;
        }

        var now = clock.GetUtcNow();
        // Sessions that have expired need no revoking later, so the list stays as short as the live chain.
        state.State.Sessions.RemoveAll(s => s.ExpiresAt <= now);
        state.State.Sessions.Add(new Member(sessionId, sessionExpiresAt));
        state.State.ExpiresAt = live && state.State.ExpiresAt > keepUntil ? state.State.ExpiresAt : keepUntil;
        await state.WriteExpiringAsync(clock, this);
        return true;
    }

    public async Task<bool> IsRevoked() => await state.IsLiveAsync(clock, this) && state.State.Revoked;

    public async Task RevokeAll()
    {
        if (!await state.IsLiveAsync(clock, this))
        {
            return;
        }

        var sessions = state.State.Sessions.ToList();
        // Marked first, so a refresh racing with this revocation finds the family revoked.
        state.State.Revoked = true;
        state.State.Sessions.Clear();
        await state.WriteStateAsync();
        await Task.WhenAll(sessions.Select(s => GrainFactory.GetGrain<ISessionGrain>(s.SessionId).Revoke()));
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) => state.OnExpiryReminderAsync(clock, this);

    [GenerateSerializer, Alias("OrbitGrains.Accounts.SessionFamilyGrain.State")]
    public sealed class State : IExpiringState
    {
        [Id(0)] public List<Member> Sessions { get; set; } = [];
        [Id(1)] public bool Revoked { get; set; }
        /// <summary>Until the last refresh token of the family expires: a replayed token must still find it revoked.</summary>
        [Id(2)] public DateTimeOffset ExpiresAt { get; set; }
    }

    [GenerateSerializer, Immutable, Alias("OrbitGrains.Accounts.SessionFamilyGrain.Member")]
    public sealed record Member([property: Id(0)] string SessionId, [property: Id(1)] DateTimeOffset ExpiresAt);
}
