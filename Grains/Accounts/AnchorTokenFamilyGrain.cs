using OrbitGrains.Hosting;

namespace OrbitGrains.Accounts;

public sealed class AnchorTokenFamilyGrain(
    [PersistentState("anchor-token-family", OrbitStorageNames.GrainState)] IPersistentState<AnchorTokenFamilyGrain.State> state,
    TimeProvider clock) : Grain, IAnchorTokenFamilyGrain, IRemindable
{
    public async Task<bool> Add(string accessHash, DateTimeOffset accessExpiresAt, string refreshHash, DateTimeOffset keepUntil)
    {
        var live = await state.IsLiveAsync(clock, this);
        if (live && state.State.Revoked)
        {
            // The pair was issued while the family was being revoked: neither token may outlive it.
            await Task.WhenAll(
                GrainFactory.GetGrain<IAnchorTokenGrain>(accessHash).Revoke(),
                GrainFactory.GetGrain<IAnchorTokenGrain>(refreshHash).Revoke());
            return false;
        }

        var now = clock.GetUtcNow();
        // Expired access tokens need no revoking later, so the list stays as short as the live chain.
        state.State.AccessTokens.RemoveAll(t => t.ExpiresAt <= now);
        state.State.AccessTokens.Add(new Member(accessHash, accessExpiresAt));
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

        var accessTokens = state.State.AccessTokens.ToList();
        // Marked first, so a refresh racing with this revocation finds the family revoked.
        state.State.Revoked = true;
        state.State.AccessTokens.Clear();
        await state.WriteStateAsync();
        await Task.WhenAll(accessTokens.Select(t => GrainFactory.GetGrain<IAnchorTokenGrain>(t.TokenHash).Revoke()));
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) => state.OnExpiryReminderAsync(clock, this);

    // Refresh tokens are not listed: each one asks the family whether it is revoked before it is honoured.
    [GenerateSerializer, Alias("OrbitGrains.Accounts.AnchorTokenFamilyGrain.State")]
    public sealed class State : IExpiringState
    {
        [Id(0)] public List<Member> AccessTokens { get; set; } = [];
        [Id(1)] public bool Revoked { get; set; }
        /// <summary>Until the last refresh token of the family expires: a replayed token must still find it revoked.</summary>
        [Id(2)] public DateTimeOffset ExpiresAt { get; set; }
    }

    [GenerateSerializer, Immutable, Alias("OrbitGrains.Accounts.AnchorTokenFamilyGrain.Member")]
    public sealed record Member([property: Id(0)] string TokenHash, [property: Id(1)] DateTimeOffset ExpiresAt);
}
