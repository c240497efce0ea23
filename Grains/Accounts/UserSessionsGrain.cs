using OrbitGrains.Hosting;

namespace OrbitGrains.Accounts;

public sealed class UserSessionsGrain(
    [PersistentState("user-sessions", OrbitStorageNames.GrainState)] IPersistentState<UserSessionsGrain.State> state,
    TimeProvider clock) : Grain, IUserSessionsGrain
{
    public async Task<string[]> Add(WebSignIn signIn)
    {
        var entries = state.State.Entries;
        entries.RemoveAll(e => e.RefreshExpiresAt <= clock.GetUtcNow() || e.FamilyId == signIn.FamilyId);
        var evicted = entries.Count >= IUserSessionsGrain.MaxSignIns
            ? entries.OrderBy(e => e.LastUsedAt).Take(entries.Count - IUserSessionsGrain.MaxSignIns + 1).ToArray()
            : [];
        foreach (var gone in evicted)
        {
            entries.Remove(gone);
        }

        entries.Add(signIn);
        await state.WriteStateAsync();
        return evicted.Select(e => e.FamilyId).ToArray();
    }

    public async Task Touch(string familyId, DateTimeOffset usedAt, DateTimeOffset refreshExpiresAt)
    {
        var index = state.State.Entries.FindIndex(e => e.FamilyId == familyId);
        if (index >= 0)
        {
            state.State.Entries[index] = state.State.Entries[index] with { LastUsedAt = usedAt, RefreshExpiresAt = refreshExpiresAt };
            await state.WriteStateAsync();
        }
    }

    public Task<WebSignIn[]> List()
    {
        var now = clock.GetUtcNow();
        return Task.FromResult(state.State.Entries.Where(e => e.RefreshExpiresAt > now).OrderByDescending(e => e.LastUsedAt).ToArray());
    }

    public async Task Remove(string[] familyIds)
    {
        if (state.State.Entries.RemoveAll(e => familyIds.Contains(e.FamilyId)) > 0)
        {
            await state.WriteStateAsync();
        }
    }

    [GenerateSerializer, Alias("OrbitGrains.Accounts.UserSessionsGrain.State")]
    public sealed class State
    {
        [Id(0)] public List<WebSignIn> Entries { get; set; } = [];
    }
}
