using OrbitGrains.Hosting;

namespace OrbitGrains.Rooms;

[GenerateSerializer, Alias("OrbitGrains.Rooms.SealedPage`1")]
public sealed class SealedPage<TEntry>
{
    [Id(0)] public TEntry[] Entries { get; set; } = [];
}

/// <summary>
/// One sealed page of a paged log (a relay thread's history, a room's recording), keyed "{log}#{number}": written once,
/// read rarely, deleted when retention lets it go.
/// </summary>
/// <remarks>
/// Once stored, the page lets go of its entries and stays activated with only its stored version, so a busy log's
/// retained pages cost memory for their activations, not for their entries (a relay thread at 2,000 messages/s seals a
/// page every few hundred milliseconds), and deleting one needs no read of what it held. A read loads them again.
/// </remarks>
public sealed class SealedPageGrain<TEntry>(
    [PersistentState("page", OrbitStorageNames.GrainState)] IPersistentState<SealedPage<TEntry>> state) : Grain, ISealedPageGrain<TEntry>
{
    /// <summary>Entries in storage, once this activation sealed or cleared the page; before that, what activation read.</summary>
    private int? _storedCount;

    public async Task Seal(TEntry[] entries)
    {
        // Sealing twice (a retry after a crash) writes the same entries; a sealed page never changes otherwise.
        if (StoredCount() < entries.Length)
        {
            var stored = state.State.Entries;
            state.State.Entries = entries;
            try
            {
                await state.WriteStateAsync();
            }
            catch
            {
                // Unwritten entries would count as stored, and the retry of this seal would then write nothing.
                state.State.Entries = stored;
                throw;
            }
        }

        _storedCount = Math.Max(StoredCount(), entries.Length);
        state.State.Entries = [];
    }

    public async Task<TEntry[]> Entries()
    {
        if (_storedCount > 0 && state.State.Entries.Length == 0)
        {
            await state.ReadStateAsync();
        }

        return state.State.Entries;
    }

    public async Task Clear()
    {
        await state.ClearStateAsync();
        _storedCount = 0;
        DeactivateOnIdle();
    }

    private int StoredCount() => _storedCount ?? state.State.Entries.Length;
}
