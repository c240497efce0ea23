using OrbitGrains.Hosting;

namespace OrbitGrains.Accounts;

public sealed class RefreshTokenGrain(
    [PersistentState("refresh-token", OrbitStorageNames.GrainState)] IPersistentState<RefreshTokenGrain.State> state,
    TimeProvider clock) : Grain, IRefreshTokenGrain, IRemindable
{
    public async Task Issue(RefreshTokenIssue issue)
    {
        state.State = new State { Issue = issue };
        await state.WriteExpiringAsync(clock, this);
    }

    public async Task<RefreshTokenIssue?> Redeem()
    {
        if (!await state.IsLiveAsync(clock, this))
        {
            return null;
        }

        var issue = state.State.Issue!;
        var family = GrainFactory.GetGrain<ITokenFamilyGrain>(issue.FamilyId);
        if (state.State.Used)
        {
            // Only the holder of the token can have spent it; a second use means someone else holds a copy.
            await family.RevokeAll();
            return null;
        }

        // Spent before anything else: a failure further on must never leave the token usable again.
        state.State.Used = true;
        await state.WriteStateAsync();
        if (!await family.IsLive(null))
        {
            return null;
        }

        await GrainFactory.GetGrain<ISessionGrain>(issue.SessionId).Revoke();
        return issue;
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) => state.OnExpiryReminderAsync(clock, this);

    // A spent token is kept until it expires: that is how its reuse is recognised.
    [GenerateSerializer, Alias("OrbitGrains.Accounts.RefreshTokenGrain.State")]
    public sealed class State : IExpiringState
    {
        [Id(0)] public RefreshTokenIssue? Issue { get; set; }
        [Id(1)] public bool Used { get; set; }

        public DateTimeOffset ExpiresAt => Issue?.ExpiresAt ?? DateTimeOffset.MinValue;
    }
}
