using OrbitGrains.Hosting;

namespace OrbitGrains.Accounts;

public sealed class AnchorTokenGrain(
    [PersistentState("anchor-token", OrbitStorageNames.GrainState)] IPersistentState<AnchorTokenGrain.State> state,
    TimeProvider clock) : Grain, IAnchorTokenGrain, IRemindable
{
    public async Task Issue(AnchorTokenIssue issue)
    {
        state.State = new State { Issue = issue };
        await state.WriteExpiringAsync(clock, this);
    }

    public async Task<AnchorTokenIssue?> ValidateAccess() =>
        await state.IsLiveAsync(clock, this) && state.State.Issue!.Kind == AnchorTokenKind.Access
            ? state.State.Issue
            : null;

    public async Task<AnchorTokenIssue?> Redeem()
    {
        if (!await state.IsLiveAsync(clock, this) || state.State.Issue!.Kind != AnchorTokenKind.Refresh)
        {
            return null;
        }

        var issue = state.State.Issue;
        var family = issue.FamilyId is { } familyId ? GrainFactory.GetGrain<ITokenFamilyGrain>(familyId) : null;
        if (state.State.Used)
        {
            // Only the holder of the token can have spent it; a second use means someone else holds a copy.
            if (family is not null)
            {
                await family.RevokeAll();
            }

            return null;
        }

        // Spent before anything else: a failure further on must never leave the token usable again.
        state.State.Used = true;
        await state.WriteStateAsync();
        if (family is not null && !await family.IsLive(null))
        {
            return null;
        }

        if (issue.PeerHash is { } peer)
        {
            await GrainFactory.GetGrain<IAnchorTokenGrain>(peer).Revoke();
        }

        return issue;
    }

    public Task Revoke() => state.EndAsync(this);

    public Task ReceiveReminder(string reminderName, TickStatus status) => state.OnExpiryReminderAsync(clock, this);

    // A spent refresh token of the old kind is kept until it expires: that is how its reuse is recognised. Refresh
    // tokens issued now carry their family and generation and have no row of their own.
    [GenerateSerializer, Alias("OrbitGrains.Accounts.AnchorTokenGrain.State")]
    public sealed class State : IExpiringState
    {
        [Id(0)] public AnchorTokenIssue? Issue { get; set; }
        [Id(1)] public bool Used { get; set; }

        public DateTimeOffset ExpiresAt => Issue?.ExpiresAt ?? DateTimeOffset.MinValue;
    }
}
