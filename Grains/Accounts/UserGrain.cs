using OrbitGrains.Hosting;

namespace OrbitGrains.Accounts;

public sealed class UserGrain(
    [PersistentState("user", OrbitStorageNames.GrainState)] IPersistentState<UserGrain.State> state,
    TimeProvider clock) : Grain, IUserGrain
{
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
            Roles = [.. user.Roles],
            CreatedAt = clock.GetUtcNow(),
        };
        await state.WriteStateAsync();
        return true;
    }

    public Task<UserRecord?> Get() => Task.FromResult(state.RecordExists
        ? new UserRecord(this.GetPrimaryKeyString(), state.State.Name, state.State.DisplayName, state.State.PasswordHash,
            state.State.Roles, state.State.CreatedAt, HasPasskey: state.State.Passkeys.Count > 0)
        : null);

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
        return true;
    }

    public Task<PasskeyRecord[]> Passkeys() => Task.FromResult(state.RecordExists ? state.State.Passkeys.ToArray() : []);

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
    }
}
