using OrbitGrains.Hosting;

namespace OrbitGrains.Rooms;

[GenerateSerializer, Alias("OrbitGrains.Rooms.SealedPage`1")]
public sealed class SealedPage<TEntry>
{
    [Id(0)] public TEntry[] Entries { get; set; } = [];
}

public sealed class SealedPageGrain<TEntry>(
    [PersistentState("page", OrbitStorageNames.GrainState)] IPersistentState<SealedPage<TEntry>> state) : Grain, ISealedPageGrain<TEntry>
{
    public async Task Seal(TEntry[] entries)
    {
        // Sealing twice (a retry after a crash) writes the same entries; a sealed page never changes otherwise.
        if (state.State.Entries.Length < entries.Length)
        {
            state.State.Entries = entries;
            await state.WriteStateAsync();
        }

        // Sealed pages are written once and read rarely (a replay, an old recording): a busy thread seals one every few
        // hundred milliseconds, and keeping each in memory until idle collection grew the heap by megabytes a second.
        DeactivateOnIdle();
    }

    public Task<TEntry[]> Entries() => Task.FromResult(state.State.Entries);

    public async Task Clear()
    {
        await state.ClearStateAsync();
        DeactivateOnIdle();
    }
}
