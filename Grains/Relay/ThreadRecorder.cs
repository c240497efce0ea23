using Microsoft.Extensions.Logging;

namespace OrbitGrains.Relay;

/// <summary>
/// Keeps one user's thread messages for replay, in batches: one <see cref="IThreadGrain.Record"/> call per thread per
/// flush instead of one per message. A batch is flushed when it holds <see cref="MaxBatch"/> frames, when the anchor
/// writing to the thread changes, <see cref="FlushInterval"/> after its first frame (the owner's one-shot timer), and
/// before anything reads the thread. Relaying never waits for a flush: a thread busy writing its state must not hold
/// up the user's deliveries. Owned by <see cref="UserRelayGrain"/> and used only on its scheduler.
/// </summary>
internal sealed partial class ThreadRecorder(Func<string, IThreadGrain> thread, Action armFlush, ILogger logger)
{
    /// <summary>Frames per batch before it is handed over without waiting for the timer.</summary>
    public const int MaxBatch = 64;

    /// <summary>The longest a frame waits in memory before it is handed to its thread (docs/relay.md's replay bound).</summary>
    public static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(50);

    private readonly Dictionary<string, Batch> _unrecorded = new(StringComparer.Ordinal);

    /// <summary>Per thread, the batch being stored now (later batches chain behind it).</summary>
    private readonly Dictionary<string, Task> _recording = new(StringComparer.Ordinal);

    /// <summary>Queues <paramref name="frame"/>, which <paramref name="anchorId"/> sent on <paramref name="threadId"/>.</summary>
    public void Record(string threadId, string frame, string anchorId)
    {
        if (_unrecorded.TryGetValue(threadId, out var batch) && batch.AnchorId != anchorId)
        {
            _ = FlushAsync(threadId);
            batch = null;
        }

        if (batch is null)
        {
            _unrecorded[threadId] = batch = new Batch(anchorId);
        }

        batch.Frames.Add(frame);
        if (batch.Frames.Count >= MaxBatch)
        {
            _ = FlushAsync(threadId);
        }
        else
        {
            armFlush();
        }
    }

    /// <summary>Hands the thread's pending batch over, after its earlier ones; completes when all of them are stored.</summary>
    public Task FlushAsync(string threadId)
    {
        if (_unrecorded.Remove(threadId, out var batch) && batch.Frames.Count > 0)
        {
            var previous = _recording.GetValueOrDefault(threadId) ?? Task.CompletedTask;
            _recording[threadId] = RecordAfterAsync(previous, threadId, [.. batch.Frames], batch.AnchorId);
        }

        if (_recording.TryGetValue(threadId, out var pending))
        {
            if (pending.IsCompleted)
            {
                _recording.Remove(threadId);
            }

            return pending;
        }

        return Task.CompletedTask;
    }

    /// <summary>Hands every pending batch over (the timer's tick, and deactivation).</summary>
    public Task FlushAllAsync() => Task.WhenAll(_unrecorded.Keys.Concat(_recording.Keys).Distinct().ToList().Select(FlushAsync));

    /// <summary>Each batch is sent only once the one before it is stored, so the thread keeps messages in order.</summary>
    private async Task RecordAfterAsync(Task previous, string threadId, string[] frames, string anchorId)
    {
        await previous;
        try
        {
            await thread(threadId).Record(frames, anchorId);
        }
        catch (Exception ex)
        {
            // Replay loses these messages; relaying them already happened and must not fail for it, nor may the
            // batches queued behind this one.
            LogRecordFailed(logger, ex, threadId, frames.Length);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storing {Count} messages of thread {ThreadId} for replay failed")]
    private static partial void LogRecordFailed(ILogger logger, Exception exception, string threadId, int count);

    private sealed record Batch(string AnchorId)
    {
        public List<string> Frames { get; } = [];
    }
}
