using OrbitGrains.Hosting;

namespace OrbitGrains.Accounts;

public sealed class UserNameGrain(
    [PersistentState("username", OrbitStorageNames.GrainState)] IPersistentState<UserNameGrain.State> state)
    : Grain, IUserNameGrain
{
    public async Task<bool> Claim(string exactName, string userId)
    {
        // Every claim here differs from the name only in case (that is the key): any other user's claim takes it.
        if (state.State.Claims.Count > 0)
        {
            return state.State.Claims.Any(c => c.Name == exactName && c.UserId == userId);
        }

        state.State.Claims.Add(new NameClaim(exactName, userId));
        await state.WriteStateAsync();
        return true;
    }

    public async Task Release(string exactName, string userId)
    {
        if (state.State.Claims.RemoveAll(c => c.Name == exactName && c.UserId == userId) > 0)
        {
            await state.WriteStateAsync();
        }
    }

    public Task<string?> Resolve(string name)
    {
        // Claims are kept in registration order, so the fallback is the oldest spelling: stable across calls.
        var claim = state.State.Claims.Find(c => c.Name == name)
            ?? state.State.Claims.Find(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));
        return Task.FromResult(claim?.UserId);
    }

    [GenerateSerializer, Alias("OrbitGrains.Accounts.UserNameGrain.State")]
    public sealed class State
    {
        [Id(0)] public List<NameClaim> Claims { get; set; } = [];
    }

    [GenerateSerializer, Immutable, Alias("OrbitGrains.Accounts.UserNameGrain.NameClaim")]
    public sealed record NameClaim([property: Id(0)] string Name, [property: Id(1)] string UserId);
}
