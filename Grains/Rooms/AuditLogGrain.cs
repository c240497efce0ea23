using OrbitGrains.Hosting;

namespace OrbitGrains.Rooms;

[GenerateSerializer, Alias("OrbitGrains.Rooms.AuditLogState")]
public sealed class AuditLogState
{
    [Id(0)] public long Count { get; set; }

    /// <summary>Entries of the page being filled; full pages move to their own sealed grain.</summary>
    [Id(1)] public List<AuditEntry> Open { get; set; } = [];
}

/// <summary>An append-only audit log: each entry is stored before Append returns, and nothing is ever rewritten or removed.</summary>
public sealed class AuditLogGrain(
    [PersistentState("audit", OrbitStorageNames.GrainState)] IPersistentState<AuditLogState> state) : Grain, IAuditLogGrain
{
    public async Task<long> Append(AuditEntry entry)
    {
        var sequence = state.State.Count + 1;
        state.State.Open.Add(entry with { Sequence = sequence });
        state.State.Count = sequence;
        if (state.State.Open.Count >= PagedLog.PageSize)
        {
            // Sealed before the head forgets them: a crash in between leaves them in both, never in neither.
            await GrainFactory.GetGrain<IAuditPageGrain>(PagedLog.PageKey(this.GetPrimaryKeyString(), PagedLog.PageOf(sequence)))
                .Seal(state.State.Open.ToArray());
            state.State.Open.Clear();
        }

        await state.WriteStateAsync();
        return sequence;
    }

    public async Task<AuditPage> Read(long after, int limit)
    {
        var (entries, next) = await PagedLog.ReadAsync(after, limit, state.State.Count, state.State.Open, e => e.Sequence,
            page => GrainFactory.GetGrain<IAuditPageGrain>(PagedLog.PageKey(this.GetPrimaryKeyString(), page)).Entries());
        return new AuditPage(entries, next);
    }
}

[GenerateSerializer, Alias("OrbitGrains.Rooms.SealedAuditPage")]
public sealed class SealedAuditPage
{
    [Id(0)] public AuditEntry[] Entries { get; set; } = [];
}

public sealed class AuditPageGrain(
    [PersistentState("auditpage", OrbitStorageNames.GrainState)] IPersistentState<SealedAuditPage> state) : Grain, IAuditPageGrain
{
    public async Task Seal(AuditEntry[] entries)
    {
        // Sealing twice (a retry after a crash) writes the same entries; a sealed page never changes otherwise.
        if (state.State.Entries.Length >= entries.Length)
        {
            return;
        }

        state.State.Entries = entries;
        await state.WriteStateAsync();
    }

    public Task<AuditEntry[]> Entries() => Task.FromResult(state.State.Entries);
}
