using OrbitGrains.Hosting;
using OrbitGrains.Rooms;

namespace OrbitGrains.Accounts;

public sealed class SystemUsersGrain(
    [PersistentState("system-users", OrbitStorageNames.GrainState)] IPersistentState<SystemUsersGrain.State> state)
    : Grain, ISystemUsersGrain
{
    public async Task<long> Enrol(string userId, string name)
    {
        state.State.FirstUserId ??= userId;
        var sequence = state.State.Count + 1;
        state.State.Open.Add(new DirectoryEntry(sequence, userId, name));
        state.State.Count = sequence;
        if (state.State.Open.Count >= PagedLog.PageSize)
        {
            // Sealed before the head forgets them: a crash in between leaves them in both, never in neither.
            await Page(PagedLog.PageOf(sequence)).Seal(state.State.Open.ToArray());
            state.State.Open.Clear();
        }

        await state.WriteStateAsync();
        return sequence;
    }

    public Task<bool> HasUsers() => Task.FromResult(state.State.FirstUserId is not null);

    public Task<string?> FirstUser() => Task.FromResult(state.State.FirstUserId);

    public async Task<DirectoryPage> List(long after, int limit)
    {
        var (entries, next) = await PagedLog.ReadAsync(after, limit, state.State.Count, state.State.Open, e => e.Sequence,
            page => Page(page).Entries());
        return new DirectoryPage(entries, next, state.State.Count);
    }

    private ISealedPageGrain<DirectoryEntry> Page(long page) =>
        GrainFactory.GetGrain<ISealedPageGrain<DirectoryEntry>>(PagedLog.PageKey("directory:" + this.GetPrimaryKeyString(), page));

    [GenerateSerializer, Alias("OrbitGrains.Accounts.SystemUsersGrain.State")]
    public sealed class State
    {
        [Id(0)] public string? FirstUserId { get; set; }

        /// <summary>Users enrolled so far (entries are numbered from 1).</summary>
        [Id(1)] public long Count { get; set; }

        /// <summary>Entries of the page being filled; full pages move to their own sealed grain.</summary>
        [Id(2)] public List<DirectoryEntry> Open { get; set; } = [];
    }
}
