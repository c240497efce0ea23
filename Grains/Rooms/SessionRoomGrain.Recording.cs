using OrbitGrains.Shared;
namespace OrbitGrains.Rooms;

public sealed partial class SessionRoomGrain
{
    /// <summary>Batches are handed over on a timer that never interleaves with messages, so batches cannot overtake each other.</summary>
    private static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(200);
    private readonly List<RecordingEntry> _pending = [];
    private IGrainTimer? _flushTimer;

    public async Task<string?> StartRecording(string actor)
    {
        if (!Exists)
        {
            return null;
        }

        if (state.State.RecordingId is { } running)
        {
            return running;
        }

        var recordingId = IssuedIds.New(RecordingPrefix);
        await GrainFactory.GetGrain<IRecordingGrain>(recordingId).Start(SessionId);
        state.State.RecordingId = recordingId;
        state.State.Recordings.Add(recordingId);
        await state.WriteStateAsync();
        StartFlushTimer();
        await AuditAsync("recording_started", actor, null, null, recordingId);
        return recordingId;
    }

    public async Task<string?> StopRecording(string actor)
    {
        if (state.State.RecordingId is not { } recordingId)
        {
            return null;
        }

        await FlushRecordingAsync(CancellationToken.None);
        await GrainFactory.GetGrain<IRecordingGrain>(recordingId).Stop();
        state.State.RecordingId = null;
        await state.WriteStateAsync();
        _flushTimer?.Dispose();
        _flushTimer = null;
        await AuditAsync("recording_stopped", actor, null, null, recordingId);
        return recordingId;
    }

    public Task<string[]> Recordings() => Task.FromResult(state.State.Recordings.ToArray());

    /// <summary>Keeps a routed frame for the recording; the recording numbers entries in this order.</summary>
    private void Record(string type, string? from, string frame)
    {
        if (state.State.RecordingId is null)
        {
            return;
        }

        _pending.Add(new RecordingEntry(0, clock.GetUtcNow(), type, from, frame));
    }

    private void StartFlushTimer() =>
        _flushTimer ??= this.RegisterGrainTimer(FlushRecordingAsync, new GrainTimerCreationOptions(FlushInterval, FlushInterval) { Interleave = false });

    private async Task FlushRecordingAsync(CancellationToken cancellationToken)
    {
        if (_pending.Count == 0 || state.State.RecordingId is not { } recordingId)
        {
            return;
        }

        var batch = _pending.ToArray();
        _pending.Clear();
        try
        {
            await GrainFactory.GetGrain<IRecordingGrain>(recordingId).Append(batch);
        }
        catch
        {
            // Put the batch back in front so the order holds when the next flush succeeds.
            _pending.InsertRange(0, batch);
            throw;
        }
    }
}
