using OrbitGrains.Hosting;

namespace OrbitGrains.Accounts;

public sealed class TokenFamilyGrain(
    [PersistentState("token-family", OrbitStorageNames.GrainState)] IPersistentState<TokenFamilyGrain.State> state,
    TimeProvider clock) : Grain, ITokenFamilyGrain, IRemindable
{
    public async Task<bool> Add(FamilyMember[] issued, DateTimeOffset keepUntil)
    {
        var live = await state.IsLiveAsync(clock, this);
        if (live && state.State.Revoked)
        {
            // Issued while the family was being revoked: nothing it issued may outlive it.
            await RevokeAsync(issued);
            return false;
        }

        var now = clock.GetUtcNow();
        // Expired members need no revoking later, so the list stays as short as the live chain.
        state.State.Members.RemoveAll(m => m.ExpiresAt <= now);
        state.State.Members.AddRange(issued);
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

        var members = state.State.Members.ToArray();
        // Marked first, so a refresh racing with this revocation finds the family revoked.
        state.State.Revoked = true;
        state.State.Members.Clear();
        await state.WriteStateAsync();
        await RevokeAsync(members);
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) => state.OnExpiryReminderAsync(clock, this);

    private Task RevokeAsync(IEnumerable<FamilyMember> members) => Task.WhenAll(members.Select(m => m.Kind switch
    {
        FamilyMemberKind.Session => GrainFactory.GetGrain<ISessionGrain>(m.Key).Revoke(),
        FamilyMemberKind.AnchorToken => GrainFactory.GetGrain<IAnchorTokenGrain>(m.Key).Revoke(),
        _ => throw new ArgumentOutOfRangeException(nameof(members), m.Kind, "unknown family member kind"),
    }));

    [GenerateSerializer, Alias("OrbitGrains.Accounts.TokenFamilyGrain.State")]
    public sealed class State : IExpiringState
    {
        [Id(0)] public List<FamilyMember> Members { get; set; } = [];
        [Id(1)] public bool Revoked { get; set; }
        /// <summary>Until the last refresh token of the family expires: a replayed token must still find it revoked.</summary>
        [Id(2)] public DateTimeOffset ExpiresAt { get; set; }
    }
}
