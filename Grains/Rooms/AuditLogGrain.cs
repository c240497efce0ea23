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
        // A failed write leaves memory as storage has it, so a retried entry is stored once, not twice.
        var (count, open) = (state.State.Count, state.State.Open.ToList());
        try
        {
            return await AppendAsync(entry);
        }
        catch
        {
            (state.State.Count, state.State.Open) = (count, open);
            throw;
        }
    }

    private async Task<long> AppendAsync(AuditEntry entry)
    {
        var sequence = state.State.Count + 1;
        state.State.Open.Add(entry with { Sequence = sequence });
        state.State.Count = sequence;
        if (state.State.Open.Count >= PagedLog.PageSize)
        {
            // Sealed before the head forgets them: a crash in between leaves them in both, never in neither.
            await GrainFactory.GetGrain<ISealedPageGrain<AuditEntry>>(PagedLog.PageKey(this.GetPrimaryKeyString(), PagedLog.PageOf(sequence)))
                .Seal(state.State.Open.ToArray());
            state.State.Open.Clear();
        }

        await state.WriteStateAsync();
        return sequence;
    }

    public async Task<AuditPage> Read(long after, int limit)
    {
        var (entries, next) = await PagedLog.ReadAsync(after, limit, state.State.Count, state.State.Open, e => e.Sequence,
            page => GrainFactory.GetGrain<ISealedPageGrain<AuditEntry>>(PagedLog.PageKey(this.GetPrimaryKeyString(), page)).Entries());
        return new AuditPage(entries, next);
    }
}
