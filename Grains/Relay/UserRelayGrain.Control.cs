using System.Text.Json.Nodes;

namespace OrbitGrains.Relay;

public sealed partial class UserRelayGrain
{
    public async Task<bool> ReceiveMany(string connectionId, string[] frames)
    {
        _outbox.Open();
        try
        {
            foreach (var frame in frames)
            {
                var receiving = Receive(connectionId, frame);
                if (!receiving.IsCompleted)
                {
                    // It waits on storage (a thread binding): what earlier frames sent must not wait with it.
                    _outbox.Flush(UserId);
                }

                // Should the socket stop being known part way, the rest are refused as each alone would be.
                if (!await receiving)
                {
                    return false;
                }
            }

            return true;
        }
        finally
        {
            _outbox.Close(UserId);
        }
    }

    public async Task<bool> Receive(string connectionId, string frame)
    {
        if (!_presence.TryGet(connectionId, out var peer))
        {
            return false;
        }

        if (RelayMessage.TryParse(frame) is not { } message)
        {
            Send(peer.Id, RelayFrames.InvalidFrame("Frames must be JSON objects."));
            return true;
        }

        if (message.Type is { } type)
        {
            await ControlAsync(peer, message, type);
        }
        else if (peer.IsAnchor)
        {
            await FromAnchorAsync(peer, message, frame);
        }
        else
        {
            await FromClientAsync(peer, message, frame);
        }

        return true;
    }

    private async Task ControlAsync(RelayPeer peer, RelayMessage message, string type)
    {
        switch (type)
        {
            case "orbit.subscribe" when message.Text("threadId") is { } threadId:
                await SubscribeAsync(peer, threadId);
                break;
            case "orbit.unsubscribe" when message.Text("threadId") is { } threadId:
                _presence.Unsubscribe(peer, threadId);
                break;
            case "orbit.subscribe" or "orbit.unsubscribe":
                Send(peer.Id, RelayFrames.InvalidFrame($"{type} needs a threadId of 1 to {RelayMessage.MaxIdLength} characters."));
                break;
            case "anchor.hello" when peer.IsAnchor:
                await HelloAsync(peer, message);
                break;
            case "orbit.list-anchors" when !peer.IsAnchor:
                Send(peer.Id, RelayFrames.Anchors(_presence.OnlineAnchors()));
                break;
            case "orbit.artifacts.list" when !peer.IsAnchor:
                await ListArtifactsAsync(peer, message);
                break;
            case "orbit.multi-dispatch" when !peer.IsAnchor:
                _multiDispatch.Start(peer, message);
                break;
            case var push when push.StartsWith("orbit.push-", StringComparison.Ordinal):
                break;
            default:
                Send(peer.Id, RelayFrames.InvalidFrame($"Unknown message type '{Truncate(type)}'."));
                break;
        }
    }

    private async Task SubscribeAsync(RelayPeer peer, string threadId)
    {
        if (peer.Threads.Count >= 1000 && !peer.Threads.Contains(threadId))
        {
            Send(peer.Id, RelayFrames.InvalidFrame("Too many subscriptions on one connection."));
            return;
        }

        _presence.Subscribe(peer, threadId);
        if (peer.IsAnchor)
        {
            await _bindings.BindAsync(threadId, peer.AnchorId!);
            Send(peer.Id, RelayFrames.Subscribed(threadId));
            return;
        }

        await _recorder.FlushAsync(threadId);
        var snapshot = await Thread(threadId).Snapshot(100);
        _bindings.Remember(threadId, snapshot.BoundAnchorId);
        Send(peer.Id, RelayFrames.Subscribed(threadId));
        Send(peer.Id, RelayFrames.RelayState(threadId, snapshot));
        foreach (var stored in snapshot.Replay)
        {
            Send(peer.Id, stored);
        }

        if (_presence.AnchorsOn(threadId) is { Count: > 0 } anchors)
        {
            Send(anchors.Select(a => _presence.AnchorConnections.GetValueOrDefault(a)).OfType<string>(), RelayFrames.ClientSubscribed(threadId));
        }
    }

    private Task HelloAsync(RelayPeer peer, RelayMessage message)
    {
        var anchorId = message.Text("anchorId") ?? message.Text("deviceId") ?? peer.AnchorId ?? RelayPresence.NewAnchorId();
        if (peer.AnchorId is { } previous && previous != anchorId)
        {
            _presence.Rekey(peer, previous, anchorId);
        }

        // A newer socket of the same anchor replaces the older one.
        if (_presence.AnchorConnections.TryGetValue(anchorId, out var older) && older != peer.Id)
        {
            return ReplaceThenAnnounceAsync(older, peer, anchorId, message);
        }

        Announce(peer, anchorId, message);
        return Task.CompletedTask;
    }

    private async Task ReplaceThenAnnounceAsync(string olderConnectionId, RelayPeer peer, string anchorId, RelayMessage message)
    {
        await ReplaceAsync(olderConnectionId);
        Announce(peer, anchorId, message);
    }

    private void Announce(RelayPeer peer, string anchorId, RelayMessage message)
    {
        var info = new AnchorInfo(anchorId, Limit(message.Text("hostname")), Limit(message.Text("platform")), clock.GetUtcNow());
        _presence.Announce(peer, info);
        Send(_presence.ClientIds(), RelayFrames.AnchorConnected(info));
    }

    private async Task ListArtifactsAsync(RelayPeer peer, RelayMessage message)
    {
        var requestId = message.Json["requestId"] ?? message.Id;
        if (message.Text("threadId") is not { } threadId)
        {
            Send(peer.Id, RelayFrames.InvalidFrame("orbit.artifacts.list needs a threadId."));
            return;
        }

        var limit = message.Json["limit"] is JsonValue l && l.TryGetValue<int>(out var n) ? n : 50;
        long? beforeId = message.Json["beforeId"] is JsonValue b && b.TryGetValue<long>(out var before) ? before : null;
        Send(peer.Id, RelayFrames.Artifacts(threadId, await Artifacts(threadId, limit, beforeId), requestId));
    }

    public async Task<ArtifactPage> Artifacts(string threadId, int limit, long? beforeId)
    {
        await _recorder.FlushAsync(threadId);
        return await Thread(threadId).Artifacts(limit, beforeId);
    }

    private static string? Limit(string? text) => text is { Length: > 200 } ? text[..200] : text;

    private static string Truncate(string text) => text.Length <= 64 ? text : text[..64];
}
