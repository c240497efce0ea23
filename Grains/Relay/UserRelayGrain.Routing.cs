namespace OrbitGrains.Relay;

public sealed partial class UserRelayGrain
{
    private const int MaxRecordBatch = 64;
    private readonly Dictionary<string, RecordBatch> _unrecorded = new(StringComparer.Ordinal);

    /// <summary>Per thread, the batch being stored now (later batches chain behind it).</summary>
    private readonly Dictionary<string, Task> _recording = new(StringComparer.Ordinal);

    /// <summary>Clients' requests waiting for an anchor: answerer = anchor id, asker = client connection.</summary>
    private readonly PendingRequests _clientRequests = new(MaxPending);

    /// <summary>Anchors' requests waiting for a client: answerer = client connection, asker = anchor id.</summary>
    private readonly PendingRequests _anchorRequests = new(MaxPending);

    private async Task FromClientAsync(RelayPeer client, RelayMessage message, string frame)
    {
        // 1. A response goes back to the anchor that asked this client.
        if (message.IsResponse && _anchorRequests.TryComplete(client.Id, message.IdKey!, out var asked)
            && _anchorsById.TryGetValue(asked.Asker, out var askingConnection))
        {
            Send(askingConnection, asked.OriginalId is { } originalId ? message.WithId(originalId) : frame);
            return;
        }

        // 2. Otherwise pick the anchor.
        var (anchorId, error) = await ChooseAnchorAsync(message);
        if (anchorId is null)
        {
            if (message.Id is not null)
            {
                Send(client.Id, RelayFrames.RoutingError(message.Id, error!));
            }

            return;
        }

        // 3. A successful route binds the thread; a request's answer must come back to this client only.
        if (message.ThreadId is { } threadId)
        {
            await BindAsync(threadId, anchorId);
        }

        if (message.IsRequest && _clientRequests.Add(client.Id, [anchorId], message.IdKey!) is { } sentId)
        {
            // Another client's request with the same id is still waiting on this anchor.
            frame = message.WithId(sentId);
        }

        Send(_anchorsById[anchorId], frame);
    }

    private async Task<(string? AnchorId, RelayRouteError? Error)> ChooseAnchorAsync(RelayMessage message)
    {
        if (message.AnchorId is { } named)
        {
            if (!IsOnline(named))
            {
                return (null, RelayRouteError.AnchorNotFound);
            }

            if (message.ThreadId is { } thread && await BoundAnchorAsync(thread) is { } bound && bound != named)
            {
                return (null, RelayRouteError.ThreadAnchorMismatch);
            }

            return (named, null);
        }

        if (message.ThreadId is { } threadId)
        {
            if (await BoundAnchorAsync(threadId) is { } bound)
            {
                return IsOnline(bound) ? (bound, null) : (null, RelayRouteError.ThreadAnchorOffline);
            }

            var subscribed = _threadAnchors.TryGetValue(threadId, out var anchors) ? anchors.Where(IsOnline).ToList() : [];
            if (subscribed.Count == 1)
            {
                return (subscribed[0], null);
            }

            if (subscribed.Count > 1)
            {
                return (null, RelayRouteError.ThreadAnchorMismatch);
            }
        }

        var online = _anchorsById.Keys.ToList();
        return online.Count switch
        {
            0 => (null, RelayRouteError.NoAnchors),
            1 => (online[0], null),
            _ => (null, RelayRouteError.AnchorRequired),
        };
    }

    private async Task FromAnchorAsync(RelayPeer anchor, RelayMessage message, string frame)
    {
        var anchorId = EnsureAnchorId(anchor);

        // 1. A response completes a multi-dispatch, or goes only to the client that asked.
        if (message.IsResponse)
        {
            if (CompleteMultiDispatch(anchorId, message))
            {
                return;
            }

            if (_clientRequests.TryComplete(anchorId, message.IdKey!, out var asked))
            {
                // The anchor that answers with a thread (thread/start, thread/resume) is where that thread lives;
                // stored before the client can act on the answer.
                if (message.ThreadId is { } answeredThread)
                {
                    await BindAsync(answeredThread, anchorId);
                }

                frame = asked.OriginalId is { } originalId ? message.WithId(originalId) : frame;
                Send(asked.Asker, frame);

                await RecordAsync(message, frame, anchorId);
                return;
            }
        }

        // 2. Notifications and server-initiated requests go to the thread's subscribers, else to all the user's clients.
        var plan = PlanFor(message.ThreadId);
        if (message.IsRequest && _anchorRequests.Add(anchorId, plan.Targets, message.IdKey!) is { } sentId)
        {
            // Another anchor's request with the same id still waits on one of these clients.
            frame = message.WithId(sentId);
        }

        Send(plan, frame);

        // 3. Thread messages are kept for replay, and move the turn and artifacts.
        await RecordAsync(message, frame, anchorId);
    }

    /// <summary>
    /// Thread messages are kept in batches: one call per thread per flush instead of one per message. A batch is
    /// flushed when it is full, on a short timer, and before anything reads the thread. Relaying never waits for a
    /// flush: a thread busy writing its state must not hold up the user's deliveries.
    /// </summary>
    private Task RecordAsync(RelayMessage message, string frame, string anchorId)
    {
        if (message.ThreadId is not { } threadId)
        {
            return Task.CompletedTask;
        }

        if (_unrecorded.TryGetValue(threadId, out var batch) && batch.AnchorId != anchorId)
        {
            _ = FlushRecordsAsync(threadId);
            batch = null;
        }

        if (batch is null)
        {
            _unrecorded[threadId] = batch = new RecordBatch(anchorId);
        }

        batch.Frames.Add(frame);
        if (batch.Frames.Count >= MaxRecordBatch)
        {
            _ = FlushRecordsAsync(threadId);
        }
        else
        {
            ArmRecordFlush();
        }

        return Task.CompletedTask;
    }

    /// <summary>Hands the thread's pending batch over, after its earlier ones; completes when all of them are stored.</summary>
    private Task FlushRecordsAsync(string threadId)
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

    /// <summary>Each batch is sent only once the one before it is stored, so the thread keeps messages in order.</summary>
    private async Task RecordAfterAsync(Task previous, string threadId, string[] frames, string anchorId)
    {
        await previous;
        try
        {
            await Thread(threadId).Record(frames, anchorId);
        }
        catch (Exception ex)
        {
            // Replay loses these messages; relaying them already happened and must not fail for it, nor may the
            // batches queued behind this one.
            LogRecordFailed(ex, threadId, frames.Length);
        }
    }

    private Task FlushAllRecordsAsync() => Task.WhenAll(_unrecorded.Keys.Concat(_recording.Keys).Distinct().ToList().Select(FlushRecordsAsync));

    [Microsoft.Extensions.Logging.LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Warning, Message = "Storing {Count} messages of thread {ThreadId} for replay failed")]
    private partial void LogRecordFailed(Exception exception, string threadId, int count);

    private sealed record RecordBatch(string AnchorId)
    {
        public List<string> Frames { get; } = [];
    }

    private bool IsOnline(string anchorId) => _anchorsById.ContainsKey(anchorId);

    private void ForgetPending(RelayPeer peer)
    {
        if (peer.IsAnchor && peer.AnchorId is { } anchorId)
        {
            // A request the anchor never answered would otherwise wait forever in the client: it is told the device left.
            foreach (var request in _clientRequests.ForgetAnswerer(anchorId))
            {
                if (_peers.ContainsKey(request.Asker))
                {
                    Send(request.Asker, RelayFrames.RoutingError(System.Text.Json.Nodes.JsonNode.Parse(request.OriginalId!)!, RelayRouteError.AnchorLeft));
                }
            }
        }
        else
        {
            _anchorRequests.ForgetAnswerer(peer.Id);
        }
    }
}
