using OrbitGrains.Hosting;

namespace OrbitGrains.Accounts;

public sealed class InviteIndexGrain(
    [PersistentState("invite-index", OrbitStorageNames.GrainState)] IPersistentState<InviteIndexGrain.State> state,
    TimeProvider clock) : Grain, IInviteIndexGrain
{
    /// <summary>Used and expired invites stay listed this long, so an admin can see what became of them.</summary>
    private static readonly TimeSpan KeptAfterExpiry = TimeSpan.FromDays(7);

    public async Task<bool> Add(string id, string codeHash, DateTimeOffset expiresAt)
    {
        var now = clock.GetUtcNow();
        state.State.Entries.RemoveAll(e => e.ExpiresAt + KeptAfterExpiry <= now);
        if (state.State.Entries.Count >= IInviteIndexGrain.MaxInvites)
        {
            state.State.Entries.RemoveAll(e => e.ExpiresAt <= now);
            if (state.State.Entries.Count >= IInviteIndexGrain.MaxInvites)
            {
                return false;
            }
        }

        state.State.Entries.Add(new Entry(id, codeHash, expiresAt));
        await state.WriteStateAsync();
        return true;
    }

    public Task<string?> Find(string id) => Task.FromResult(state.State.Entries.Find(e => e.Id == id)?.CodeHash);

    public async Task Remove(string id)
    {
        if (state.State.Entries.RemoveAll(e => e.Id == id) > 0)
        {
            await state.WriteStateAsync();
        }
    }

    public Task<string[]> All() => Task.FromResult(state.State.Entries.AsEnumerable().Reverse().Select(e => e.CodeHash).ToArray());

    [GenerateSerializer, Alias("OrbitGrains.Accounts.InviteIndexGrain.State")]
    public sealed class State
    {
        [Id(0)] public List<Entry> Entries { get; set; } = [];
    }

    [GenerateSerializer, Immutable, Alias("OrbitGrains.Accounts.InviteIndexGrain.Entry")]
    public sealed record Entry([property: Id(0)] string Id, [property: Id(1)] string CodeHash, [property: Id(2)] DateTimeOffset ExpiresAt);
}
