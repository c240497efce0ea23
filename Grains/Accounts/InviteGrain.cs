using OrbitGrains.Hosting;

namespace OrbitGrains.Accounts;

public sealed class InviteGrain(
    [PersistentState("invite", OrbitStorageNames.GrainState)] IPersistentState<InviteGrain.State> state,
    TimeProvider clock) : Grain, IInviteGrain, IRemindable
{
    public async Task Create(InviteRecord invite)
    {
        state.State = new State { Invite = invite };
        await state.WriteExpiringAsync(clock, this);
    }

    public async Task<bool> IsUsable() => await state.IsLiveAsync(clock, this) && state.State.Invite!.UsedBy is null;

    public async Task<bool> Redeem(string userId)
    {
        if (!await IsUsable())
        {
            return false;
        }

        state.State.Invite = state.State.Invite! with { UsedBy = userId, UsedAt = clock.GetUtcNow() };
        await state.WriteStateAsync();
        return true;
    }

    public async Task Restore(string userId)
    {
        if (await state.IsLiveAsync(clock, this) && state.State.Invite!.UsedBy == userId)
        {
            state.State.Invite = state.State.Invite with { UsedBy = null, UsedAt = null };
            await state.WriteStateAsync();
        }
    }

    public async Task<InviteRecord?> Get() => await state.IsLiveAsync(clock, this) ? state.State.Invite : null;

    public Task Revoke() => state.EndAsync(this);

    public Task ReceiveReminder(string reminderName, TickStatus status) => state.OnExpiryReminderAsync(clock, this);

    [GenerateSerializer, Alias("OrbitGrains.Accounts.InviteGrain.State")]
    public sealed class State : IExpiringState
    {
        [Id(0)] public InviteRecord? Invite { get; set; }

        public DateTimeOffset ExpiresAt => Invite?.ExpiresAt ?? DateTimeOffset.MinValue;
    }
}
