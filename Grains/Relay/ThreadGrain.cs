using Microsoft.Extensions.Logging;
using OrbitGrains.Hosting;

namespace OrbitGrains.Relay;

/// <summary>
/// A thread's durable memory. The binding is written at once (routing depends on it); messages and artifacts
/// are written behind on a short timer and on deactivation, so relaying a message never waits for the store.
/// A crash can lose at most the last flush interval of replay, never a binding.
/// </summary>
[Orleans.Placement.PreferLocalPlacement]
public sealed partial class ThreadGrain(
    [PersistentState("thread", OrbitStorageNames.GrainState)] IPersistentState<ThreadState> state,
    TimeProvider clock,
    ILogger<ThreadGrain> logger) : Grain, IThreadGrain
{
    public const int MaxMessages = 200;
    public const int MaxArtifacts = 1000;
    private static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(1);
    private bool _dirty;
    private IGrainTimer? _flushTimer;

    private string ThreadId => this.GetPrimaryKeyString() is var key && key.IndexOf('/') is var slash and >= 0 ? key[(slash + 1)..] : key;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _flushTimer = this.RegisterGrainTimer(FlushAsync, new GrainTimerCreationOptions(FlushInterval, FlushInterval) { Interleave = false });
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _flushTimer?.Dispose();
        await FlushAsync(cancellationToken);
    }

    public Task<ThreadSnapshot> Snapshot(int replayLimit)
    {
        var messages = state.State.Messages;
        var replay = messages.Skip(Math.Max(0, messages.Count - Math.Clamp(replayLimit, 0, MaxMessages))).ToArray();
        return Task.FromResult(new ThreadSnapshot(state.State.BoundAnchorId, state.State.Turn, replay));
    }

    public Task<string?> BoundAnchor() => Task.FromResult(state.State.BoundAnchorId);

    public async Task Bind(string? anchorId)
    {
        if (state.State.BoundAnchorId == anchorId)
        {
            return;
        }

        state.State.BoundAnchorId = anchorId;
        await state.WriteStateAsync();
        _dirty = false;
    }

    /// <summary>Keeps a batch of relayed messages; each stands alone, so one that cannot be read never costs the others.</summary>
    public Task Record(string[] frames, string? anchorId)
    {
        foreach (var frame in frames)
        {
            try
            {
                Apply(frame, anchorId);
            }
            catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException or ArgumentException or FormatException)
            {
                // It was relayed and stays in the history; it just moves neither the turn nor the artifacts.
                LogUnreadableMessage(ex, ThreadId);
            }
        }

        var messages = state.State.Messages;
        if (messages.Count > MaxMessages)
        {
            messages.RemoveRange(0, messages.Count - MaxMessages);
        }

        _dirty = true;
        return Task.CompletedTask;
    }

    private void Apply(string frame, string? anchorId)
    {
        state.State.Messages.Add(frame);

        // Most frames are deltas that change neither the turn nor the artifacts: skip parsing them.
        if (!frame.Contains("\"turn/", StringComparison.Ordinal) && !frame.Contains("item/completed", StringComparison.Ordinal))
        {
            return;
        }

        if (RelayMessage.TryParse(frame) is { } message)
        {
            if (ThreadItems.TurnAfter(message) is { } turn)
            {
                state.State.Turn = turn;
            }

            if (ThreadItems.Artifact(message, ThreadId, anchorId, state.State.NextArtifactId, clock.GetUtcNow()) is { } artifact)
            {
                state.State.NextArtifactId++;
                state.State.Artifacts.Add(artifact);
                if (state.State.Artifacts.Count > MaxArtifacts)
                {
                    state.State.Artifacts.RemoveRange(0, state.State.Artifacts.Count - MaxArtifacts);
                }
            }
        }
    }

    public Task<TurnState?> InterruptTurn(string anchorId)
    {
        if (!ThreadItems.IsRunning(state.State.Turn) || (state.State.BoundAnchorId is { } bound && bound != anchorId))
        {
            return Task.FromResult<TurnState?>(null);
        }

        var interrupted = state.State.Turn! with { Status = "Interrupted", Running = false };
        state.State.Turn = interrupted;
        state.State.Messages.Add(RelayFrames.TurnInterrupted(ThreadId, interrupted));
        _dirty = true;
        return Task.FromResult<TurnState?>(interrupted);
    }

    public Task<ArtifactPage> Artifacts(int limit, long? beforeId)
    {
        limit = Math.Clamp(limit, 1, 200);
        var older = state.State.Artifacts.Where(a => beforeId is null || a.Id < beforeId).ToList();
        var page = older.Skip(Math.Max(0, older.Count - limit)).Reverse().ToArray();
        long? next = older.Count > limit ? page[^1].Id : null;
        return Task.FromResult(new ArtifactPage(page, next));
    }

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (!_dirty)
        {
            return;
        }

        _dirty = false;
        try
        {
            await state.WriteStateAsync(cancellationToken);
        }
        catch
        {
            _dirty = true;
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A message of thread {ThreadId} could not be read for its turn or artifacts; it is kept as relayed")]
    private partial void LogUnreadableMessage(Exception exception, string threadId);
}
