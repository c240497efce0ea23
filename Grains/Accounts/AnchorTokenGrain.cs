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

    public async Task<string?> ValidateAccess() =>
        await state.IsLiveAsync(clock, this) && state.State.Issue!.Kind == AnchorTokenKind.Access
            ? state.State.Issue.UserId
            : null;

    public async Task<string?> Redeem()
    {
        if (!await state.IsLiveAsync(clock, this) || state.State.Issue!.Kind != AnchorTokenKind.Refresh)
        {
            return null;
        }

        var issue = state.State.Issue;
        await Revoke();
        if (issue.PeerHash is { } peer)
        {
            await GrainFactory.GetGrain<IAnchorTokenGrain>(peer).Revoke();
        }

        return issue.UserId;
    }

    public Task Revoke() => state.EndAsync(this);

    public Task ReceiveReminder(string reminderName, TickStatus status) => state.OnExpiryReminderAsync(clock, this);

    [GenerateSerializer, Alias("OrbitGrains.Accounts.AnchorTokenGrain.State")]
    public sealed class State : IExpiringState
    {
        [Id(0)] public AnchorTokenIssue? Issue { get; set; }

        public DateTimeOffset ExpiresAt => Issue?.ExpiresAt ?? DateTimeOffset.MinValue;
    }
}
