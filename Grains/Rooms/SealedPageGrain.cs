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

        // Sealed pages are written once and read rarely (a replay, an old recording). Kept in memory, every retained page
        // of every busy thread stayed resident (up to RELAY_HISTORY_BYTES plus RELAY_ARTIFACT_HISTORY_BYTES per thread)
        // until retention dropped it or idle collection came; deleting a dropped page now reads it back once instead.
        DeactivateOnIdle();
    }

    public Task<TEntry[]> Entries() => Task.FromResult(state.State.Entries);

    public async Task Clear()
    {
        await state.ClearStateAsync();
        DeactivateOnIdle();
    }
}
