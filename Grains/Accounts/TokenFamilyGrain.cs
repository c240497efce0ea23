using OrbitGrains.Hosting;

namespace OrbitGrains.Accounts;

public sealed class TokenFamilyGrain(
    [PersistentState("token-family", OrbitStorageNames.GrainState)] IPersistentState<TokenFamilyGrain.State> state,
    TimeProvider clock) : Grain, ITokenFamilyGrain, IRemindable
{
    /// <summary>The successor handed out by the last rotation, for a duplicate of it within the grace window. Never stored.</summary>
    private (int Generation, string Replay, DateTimeOffset At)? _lastSuccessor;

    public async Task<bool> Start(FamilyStart start)
    {
        var live = await state.IsLiveAsync(clock, this);
        if (live && (state.State.Revoked || KindOf(state.State) is { } kind && kind != start.Kind))
        {
            // Issued while the family was being revoked: nothing it issued may outlive it. A live family of the other
            // kind is never taken over: its tokens would then renew a credential they were not issued for.
            await RevokeAsync(start.Members);
            return false;
        }

        var now = clock.GetUtcNow();
        state.State.Kind = start.Kind;
        state.State.UserId = start.UserId;
        state.State.CreatedAt ??= now;
        state.State.Generation = 1;
        state.State.RefreshHash = start.RefreshHash;
        state.State.PreviousHash = null;
        state.State.Members.RemoveAll(m => m.ExpiresAt <= now);
        state.State.Members.AddRange(start.Members);
        state.State.CurrentMembers = [.. start.Members];
        state.State.ExpiresAt = live && state.State.ExpiresAt > start.RefreshExpiresAt ? state.State.ExpiresAt : start.RefreshExpiresAt;
        await state.WriteExpiringAsync(clock, this);
        return true;
    }

    public async Task<RotateOutcome> Rotate(FamilyRotation rotation)
    {
        if (!await IsLive(rotation.NotBefore) || state.State.RefreshHash is null)
        {
            await RevokeAsync(rotation.NextMembers);
            return new RotateOutcome(RotateStatus.Refused, null);
        }

        if (KindOf(state.State) != rotation.Kind)
        {
            // A token presented to another kind's route: refused before anything is spent, so neither the family's
            // generation nor its grace-window successor changes and the token still works where it belongs.
            await RevokeAsync(rotation.NextMembers);
            return new RotateOutcome(RotateStatus.Refused, null);
        }

        var now = clock.GetUtcNow();
        var current = state.State.Generation;
        if (rotation.PresentedGeneration == current && rotation.PresentedHash == state.State.RefreshHash)
        {
            var spent = state.State.CurrentMembers.ToArray();
            state.State.Kind = rotation.Kind;
            state.State.Generation = current + 1;
            state.State.PreviousHash = state.State.RefreshHash;
            state.State.RefreshHash = rotation.NextHash;
            state.State.RotatedAt = now;
            state.State.CurrentMembers = [.. rotation.NextMembers];
            state.State.Members.RemoveAll(m => m.ExpiresAt <= now || spent.Contains(m));
            state.State.Members.AddRange(rotation.NextMembers);
            if (rotation.RefreshExpiresAt > state.State.ExpiresAt)
            {
                state.State.ExpiresAt = rotation.RefreshExpiresAt;
            }

            // Stored before the old session dies and before anyone hears of the successor: a crash in between can lose
            // the successor (its holder signs in again), never leave the spent token usable.
            await state.WriteExpiringAsync(clock, this);
            _lastSuccessor = (current + 1, rotation.Replay, now);
            await RevokeAsync(spent);
            return new RotateOutcome(RotateStatus.Rotated, null);
        }

        await RevokeAsync(rotation.NextMembers);
        var duplicate = rotation.PresentedGeneration == current - 1 && rotation.PresentedHash == state.State.PreviousHash
            && state.State.RotatedAt is { } rotatedAt && now - rotatedAt <= FamilyRotation.GraceWindow;
        if (duplicate)
        {
            // Two tabs refreshing with one token: both stay signed in with the one successor. If this activation lost
            // it, the duplicate is refused without revoking anything.
            return _lastSuccessor is { } last && last.Generation == current
                ? new RotateOutcome(RotateStatus.Replayed, last.Replay)
                : new RotateOutcome(RotateStatus.Refused, null);
        }

        if (rotation.PresentedGeneration < current)
        {
            // Only the holder of the token can have spent it; a spent one coming back means someone else holds a copy.
            await RevokeAllAsync();
        }

        return new RotateOutcome(RotateStatus.Refused, null);
    }

    public async Task<bool> IsLive(DateTimeOffset? notBefore) =>
        await state.IsLiveAsync(clock, this) && !state.State.Revoked
        && (notBefore is not { } cutoff || state.State.CreatedAt is not { } created || created >= cutoff);

    public async Task RevokeAll()
    {
        if (await state.IsLiveAsync(clock, this))
        {
            await RevokeAllAsync();
        }
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) => state.OnExpiryReminderAsync(clock, this);

    /// <summary>
    /// The stored kind; for a row stored before families kept one, the kind of what it issued (a family issues one
    /// kind of member only). Null when neither says: such a family is of no kind and no refresh route spends it.
    /// </summary>
    private static TokenFamilyKind? KindOf(State family) =>
        family.Kind ?? family.CurrentMembers.Concat(family.Members).Select(m => m.Kind switch
        {
            FamilyMemberKind.Session => TokenFamilyKind.Web,
            FamilyMemberKind.AnchorToken => TokenFamilyKind.Anchor,
            _ => (TokenFamilyKind?)null,
        }).FirstOrDefault(k => k is not null);

    private async Task RevokeAllAsync()
    {
        if (state.State.Revoked)
        {
            return;
        }

        var members = state.State.Members.ToArray();
        // Marked first, so a refresh racing with this revocation finds the family revoked.
        state.State.Revoked = true;
        state.State.Members.Clear();
        state.State.CurrentMembers.Clear();
        state.State.RefreshHash = null;
        state.State.PreviousHash = null;
        _lastSuccessor = null;
        await state.WriteStateAsync();
        await RevokeAsync(members);
        if (state.State.UserId is { Length: > 0 } userId)
        {
            await GrainFactory.GetGrain<IUserGrain>(userId).FamilyRevoked(this.GetPrimaryKeyString());
        }
    }

    private Task RevokeAsync(IEnumerable<FamilyMember> members) => Task.WhenAll(members.Select(m => m.Kind switch
    {
        FamilyMemberKind.Session => GrainFactory.GetGrain<ISessionGrain>(m.Key).Revoke(),
        FamilyMemberKind.AnchorToken => GrainFactory.GetGrain<IAnchorTokenGrain>(m.Key).Revoke(),
        _ => throw new ArgumentOutOfRangeException(nameof(members), m.Kind, "unknown family member kind"),
    }));

    [GenerateSerializer, Alias("OrbitGrains.Accounts.TokenFamilyGrain.State")]
    public sealed class State : IExpiringState
    {
        /// <summary>Everything live that the family issued, for revoking it all at once.</summary>
        [Id(0)] public List<FamilyMember> Members { get; set; } = [];
        [Id(1)] public bool Revoked { get; set; }
        /// <summary>Until the last refresh token of the family expires: a replayed token must still find it revoked.</summary>
        [Id(2)] public DateTimeOffset ExpiresAt { get; set; }
        [Id(3)] public string? UserId { get; set; }
        [Id(4)] public DateTimeOffset? CreatedAt { get; set; }
        /// <summary>The generation of the one live refresh token; every lower generation is spent.</summary>
        [Id(5)] public int Generation { get; set; }
        [Id(6)] public string? RefreshHash { get; set; }
        /// <summary>The refresh token spent by the last rotation, recognised as a duplicate within the grace window.</summary>
        [Id(7)] public string? PreviousHash { get; set; }
        [Id(8)] public DateTimeOffset? RotatedAt { get; set; }
        /// <summary>What the current generation issued: revoked when it is spent.</summary>
        [Id(9)] public List<FamilyMember> CurrentMembers { get; set; } = [];
        /// <summary>What the family's refresh tokens renew; null in rows stored before it was kept (see KindOf).</summary>
        [Id(10)] public TokenFamilyKind? Kind { get; set; }
    }
}
