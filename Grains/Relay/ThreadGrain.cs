using Microsoft.Extensions.Logging;
using OrbitGrains.Hosting;

namespace OrbitGrains.Relay;

/// <summary>
/// A thread's durable memory. The binding is written at once (routing depends on it); messages and artifacts are
/// paged logs (<see cref="ThreadHistoryOptions"/>) whose open pages are written behind on a short timer and on
/// deactivation, so relaying a message never waits for the store, and no write rewrites sealed history.
/// A crash can lose at most the last flush interval of replay (1 s), never a binding or a sealed page.
/// </summary>
[Orleans.Placement.PreferLocalPlacement]
public sealed partial class ThreadGrain(
    [PersistentState("thread", OrbitStorageNames.GrainState)] IPersistentState<ThreadState> state,
    TimeProvider clock,
    OrbitClusterSettings settings,
    ILogger<ThreadGrain> logger) : Grain, IThreadGrain
{
    /// <summary>The most messages one snapshot replays.</summary>
    public const int MaxReplay = 200;
    private static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(1);
    private ThreadHistoryOptions Options => settings.RelayHistory;
    private bool _dirty;
    private IGrainTimer? _flushTimer;
    private ThreadHistory<string> _messages = null!;
    private ThreadHistory<ArtifactRecord> _artifacts = null!;

    private string ThreadId => this.GetPrimaryKeyString() is var key && key.IndexOf('/') is var slash and >= 0 ? key[(slash + 1)..] : key;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var key = this.GetPrimaryKeyString();
        _messages = new ThreadHistory<string>(GrainFactory, $"relay-messages:{key}", state.State.Messages, state.State.MessagePages,
            static m => m.Length, static _ => 0);
        _artifacts = new ThreadHistory<ArtifactRecord>(GrainFactory, $"relay-artifacts:{key}", state.State.Artifacts, state.State.ArtifactPages,
            static a => ArtifactSize(a), static a => a.Id);
        _flushTimer = this.RegisterGrainTimer(FlushAsync, new GrainTimerCreationOptions(FlushInterval, FlushInterval) { Interleave = false });

        // A row stored before paging holds whole histories in its open lists: they become sealed pages now.
        if (_messages.OpenBytes >= Options.PageBytes || _artifacts.OpenBytes >= Options.PageBytes)
        {
            await SealAndStoreAsync();
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _flushTimer?.Dispose();
        await FlushAsync(cancellationToken);
    }

    public async Task<ThreadSnapshot> Snapshot(int replayLimit)
    {
        var replay = await _messages.NewestAsync(Math.Clamp(replayLimit, 0, MaxReplay), static _ => true, static _ => false);
        replay.Reverse();
        return new ThreadSnapshot(state.State.BoundAnchorId, state.State.Turn, [.. replay]);
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
    public async Task Record(string[] frames, string? anchorId)
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

        _dirty = true;
        if (_messages.OpenBytes >= Options.PageBytes || _artifacts.OpenBytes >= Options.PageBytes)
        {
            await SealAndStoreAsync();
        }
    }

    private void Apply(string frame, string? anchorId)
    {
        // A message too big to keep (an inline image) is relayed, but replay does without it.
        if (frame.Length <= Options.MaxEntryBytes)
        {
            _messages.Append(frame);
        }

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
                _artifacts.Append(artifact.PayloadJson.Length > Options.MaxEntryBytes ? artifact with { PayloadJson = "null" } : artifact);
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
        _messages.Append(RelayFrames.TurnInterrupted(ThreadId, interrupted));
        _dirty = true;
        return Task.FromResult<TurnState?>(interrupted);
    }

    public async Task<ArtifactPage> Artifacts(int limit, long? beforeId)
    {
        limit = Math.Clamp(limit, 1, 200);
        var newest = await _artifacts.NewestAsync(limit + 1,
            a => beforeId is null || a.Id < beforeId,
            page => beforeId is { } before && page.FirstId >= before);
        var page = newest.Take(limit).ToArray();
        long? next = newest.Count > limit ? page[^1].Id : null;
        return new ArtifactPage(page, next);
    }

    /// <summary>Seals full pages, stores the state that lists them, then deletes the pages retention let go.</summary>
    private async Task SealAndStoreAsync()
    {
        state.State.NextMessagePage = await _messages.SealFullPagesAsync(Options.PageBytes, state.State.NextMessagePage);
        state.State.NextArtifactPage = await _artifacts.SealFullPagesAsync(Options.PageBytes, state.State.NextArtifactPage);
        var droppedMessages = _messages.Trim(Options.MessageBytes);
        var droppedArtifacts = _artifacts.Trim(Options.ArtifactBytes);
        await state.WriteStateAsync();
        _dirty = false;

        // Once no stored state names them; a crash before this leaves orphan pages, never a listed page that is gone.
        try
        {
            await Task.WhenAll(_messages.DeleteAsync(droppedMessages), _artifacts.DeleteAsync(droppedArtifacts));
        }
        catch (Exception ex)
        {
            LogDeleteFailed(ex, ThreadId);
        }
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

    /// <summary>What an artifact counts against retention: its payload and summary, plus its fixed members.</summary>
    private static long ArtifactSize(ArtifactRecord artifact) => artifact.PayloadJson.Length + artifact.Summary.Length + 256;

    [LoggerMessage(Level = LogLevel.Warning, Message = "A message of thread {ThreadId} could not be read for its turn or artifacts; it is kept as relayed")]
    private partial void LogUnreadableMessage(Exception exception, string threadId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deleting pages of thread {ThreadId} beyond retention failed; they stay stored but unlisted")]
    private partial void LogDeleteFailed(Exception exception, string threadId);
}
