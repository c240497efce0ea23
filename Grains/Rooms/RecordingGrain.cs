using OrbitGrains.Hosting;

namespace OrbitGrains.Rooms;

[GenerateSerializer, Alias("OrbitGrains.Rooms.RecordingState")]
public sealed class RecordingState
{
    [Id(0)] public string? SessionId { get; set; }
    [Id(1)] public bool Active { get; set; }
    [Id(2)] public long Count { get; set; }
    [Id(3)] public List<RecordingEntry> Open { get; set; } = [];
}

/// <summary>One recording: batches from the room get consecutive sequence numbers and are stored before Append returns.</summary>
public sealed class RecordingGrain(
    [PersistentState("recording", OrbitStorageNames.GrainState)] IPersistentState<RecordingState> state) : Grain, IRecordingGrain
{
    public async Task Start(string sessionId)
    {
        state.State.SessionId = sessionId;
        state.State.Active = true;
        await state.WriteStateAsync();
    }

    public async Task Append(RecordingEntry[] entries)
    {
        // A failed write leaves memory as storage has it: the room's retry then stores each entry once.
        var (count, open) = (state.State.Count, state.State.Open.ToList());
        try
        {
            await AppendAsync(entries);
        }
        catch
        {
            (state.State.Count, state.State.Open) = (count, open);
            throw;
        }
    }

    private async Task AppendAsync(RecordingEntry[] entries)
    {
        foreach (var entry in entries)
        {
            state.State.Count++;
            state.State.Open.Add(entry with { Sequence = state.State.Count });
        }

        while (state.State.Open.Count >= PagedLog.PageSize)
        {
            var full = state.State.Open.Take(PagedLog.PageSize).ToArray();
            await GrainFactory.GetGrain<ISealedPageGrain<RecordingEntry>>(PagedLog.PageKey(this.GetPrimaryKeyString(), PagedLog.PageOf(full[0].Sequence)))
                .Seal(full);
            state.State.Open.RemoveRange(0, PagedLog.PageSize);
        }

        await state.WriteStateAsync();
    }

    public async Task Stop()
    {
        state.State.Active = false;
        await state.WriteStateAsync();
    }

    public async Task<RecordingPage> Read(long after, int limit)
    {
        var (entries, next) = await PagedLog.ReadAsync(after, limit, state.State.Count, state.State.Open, e => e.Sequence,
            page => GrainFactory.GetGrain<ISealedPageGrain<RecordingEntry>>(PagedLog.PageKey(this.GetPrimaryKeyString(), page)).Entries());
        return new RecordingPage(this.GetPrimaryKeyString(), state.State.SessionId, state.State.Active, entries, next);
    }
}
