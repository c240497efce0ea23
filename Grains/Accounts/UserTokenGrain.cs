using OrbitGrains.Hosting;

namespace OrbitGrains.Accounts;

public sealed class UserTokenGrain(
    [PersistentState("user-token", OrbitStorageNames.GrainState)] IPersistentState<UserTokenGrain.State> state,
    TimeProvider clock) : Grain, IUserTokenGrain
{
    /// <summary>Last use is kept to the minute: a token used in a tight loop must not write on every call.</summary>
    private static readonly TimeSpan LastUseResolution = TimeSpan.FromMinutes(1);

    public async Task Issue(string userId, DateTimeOffset issuedAt)
    {
        state.State = new State { UserId = userId, IssuedAt = issuedAt };
        await state.WriteStateAsync();
    }

    public async Task<string?> Use()
    {
        if (!state.RecordExists || state.State.Revoked)
        {
            return null;
        }

        var now = clock.GetUtcNow();
        if (state.State.LastUsedAt is not { } last || now - last >= LastUseResolution)
        {
            state.State.LastUsedAt = now;
            await state.WriteStateAsync();
        }

        return state.State.UserId;
    }

    public async Task Revoke()
    {
        if (state.RecordExists && !state.State.Revoked)
        {
            state.State.Revoked = true;
            await state.WriteStateAsync();
        }
    }

    [GenerateSerializer, Alias("OrbitGrains.Accounts.UserTokenGrain.State")]
    public sealed class State
    {
        [Id(0)] public string UserId { get; set; } = "";
        [Id(1)] public DateTimeOffset IssuedAt { get; set; }
        [Id(2)] public DateTimeOffset? LastUsedAt { get; set; }
        [Id(3)] public bool Revoked { get; set; }
    }
}
