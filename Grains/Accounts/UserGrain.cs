using OrbitGrains.Hosting;

namespace OrbitGrains.Accounts;

public sealed class UserGrain(
    [PersistentState("user", OrbitStorageNames.GrainState)] IPersistentState<UserGrain.State> state,
    TimeProvider clock) : Grain, IUserGrain
{
    private readonly AccountWatchers _watchers = new(clock);

    public async Task<bool> Create(NewUser user)
    {
        if (state.RecordExists)
        {
            return false;
        }

        state.State = new State
        {
            Name = user.Name,
            DisplayName = user.DisplayName,
            PasswordHash = user.PasswordHash,
            Roles = [.. AccountRoles.Normalise(user.Roles) ?? []],
            CreatedAt = clock.GetUtcNow(),
            Passkeys = user.Passkey is { } passkey ? [passkey] : [],
        };
        await state.WriteStateAsync();
        return true;
    }

    public Task<UserRecord?> Get() => Task.FromResult(Record());

    public async Task<bool> AddOrUpdatePasskey(PasskeyRecord passkey)
    {
        if (!state.RecordExists)
        {
            return false;
        }

        var passkeys = state.State.Passkeys;
        var index = passkeys.FindIndex(p => p.CredentialId.AsSpan().SequenceEqual(passkey.CredentialId));
        if (index >= 0)
        {
            passkeys[index] = passkey;
        }
        else if (passkeys.Count >= MaxPasskeys)
        {
            return false;
        }
        else
        {
            passkeys.Add(passkey);
        }

        await state.WriteStateAsync();
        await _watchers.NotifyAsync(watch => watch.UserChanged(Record()!));
        return true;
    }

    public Task<PasskeyRecord[]> Passkeys() => Task.FromResult(state.RecordExists ? state.State.Passkeys.ToArray() : []);

    public async Task<bool> RecordSignIn(byte[] credentialId, uint signCount, bool isBackedUp)
    {
        var passkeys = state.State.Passkeys;
        var index = state.RecordExists ? passkeys.FindIndex(p => p.CredentialId.AsSpan().SequenceEqual(credentialId)) : -1;
        if (index < 0)
        {
            return false;
        }

        var stored = passkeys[index];
        if ((signCount != 0 || stored.SignCount != 0) && signCount <= stored.SignCount)
        {
            return false;
        }

        if (stored.SignCount != signCount || stored.IsBackedUp != isBackedUp)
        {
            // Nothing watchers see changes (the record has no counters), so they are not told.
            passkeys[index] = stored with { SignCount = signCount, IsBackedUp = isBackedUp };
            await state.WriteStateAsync();
        }

        return true;
    }

    public async Task<string?> SwapUserToken(string? tokenHash)
    {
        if (!state.RecordExists)
        {
            return null;
        }

        var previous = state.State.UserTokenHash;
        state.State.UserTokenHash = tokenHash;
        await state.WriteStateAsync();
        return previous;
    }

    public async Task<UserRecord?> SetRoles(string[] roles)
    {
        if (!state.RecordExists)
        {
            return null;
        }

        var granted = AccountRoles.Normalise(roles) ?? throw new ArgumentException("Only grantable roles may be set.", nameof(roles));
        if (!granted.SequenceEqual(state.State.Roles))
        {
            state.State.Roles = [.. granted];
            await state.WriteStateAsync();
            await _watchers.NotifyAsync(watch => watch.UserChanged(Record()!));
        }

        return Record();
    }

    public async Task<UserRecord?> SetDisabled(bool disabled)
    {
        if (!state.RecordExists)
        {
            return null;
        }

        if (state.State.Disabled == disabled)
        {
            return Record();
        }

        state.State.Disabled = disabled;
        if (disabled)
        {
            // Whole seconds, rounded up: a web token's issue time has whole seconds, and one issued in this very
            // second must be refused too.
            var now = clock.GetUtcNow();
            state.State.CredentialsNotBefore = DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds() + 1);
        }

        // Written first: a crash after this leaves the account disabled, which is what the admin asked for.
        await state.WriteStateAsync();
        if (disabled && state.State.UserTokenHash is { } userToken)
        {
            await GrainFactory.GetGrain<IUserTokenGrain>(userToken).Revoke();
        }

        await _watchers.NotifyAsync(watch => watch.UserChanged(Record()!));
        return Record();
    }

    public Task FamilyRevoked(string familyId)
    {
        var userId = this.GetPrimaryKeyString();
        return _watchers.NotifyAsync(watch => watch.FamilyRevoked(userId, familyId));
    }

    public Task SessionEnded(string sessionId)
    {
        var userId = this.GetPrimaryKeyString();
        return _watchers.NotifyAsync(watch => watch.SessionEnded(userId, sessionId));
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // The watchers live in memory: the next activation will not know them, so they must register again. Not when
        // the silo shuts down: its messaging is stopping (the calls would fail), and every front end starts over when
        // membership declares the silo dead, which a silo stopping marks itself on the way out.
        if (reason.ReasonCode != DeactivationReasonCode.ShuttingDown)
        {
            var userId = this.GetPrimaryKeyString();
            _watchers.Notify(watch => watch.WatchEnded(userId));
        }

        return Task.CompletedTask;
    }

    public Task Watch(IAccountWatch watcher, TimeSpan lease)
    {
        _watchers.Renew(watcher, lease);
        return Task.CompletedTask;
    }

    public Task Unwatch(IAccountWatch watcher)
    {
        _watchers.Remove(watcher);
        return Task.CompletedTask;
    }

    private UserRecord? Record() => state.RecordExists
        ? new UserRecord(this.GetPrimaryKeyString(), state.State.Name, state.State.DisplayName, state.State.PasswordHash,
            state.State.Roles, state.State.CreatedAt, HasPasskey: state.State.Passkeys.Count > 0, state.State.Disabled,
            state.State.CredentialsNotBefore)
        : null;

    /// <summary>A person has a handful of authenticators; the bound keeps one account's state small.</summary>
    private const int MaxPasskeys = 32;

    [GenerateSerializer, Alias("OrbitGrains.Accounts.UserGrain.State")]
    public sealed class State
    {
        [Id(0)] public string Name { get; set; } = "";
        [Id(1)] public string DisplayName { get; set; } = "";
        [Id(2)] public string? PasswordHash { get; set; }
        [Id(3)] public List<string> Roles { get; set; } = [];
        [Id(4)] public DateTimeOffset CreatedAt { get; set; }
        [Id(5)] public List<PasskeyRecord> Passkeys { get; set; } = [];
        [Id(6)] public string? UserTokenHash { get; set; }
        [Id(7)] public bool Disabled { get; set; }
        [Id(8)] public DateTimeOffset? CredentialsNotBefore { get; set; }
    }
}
