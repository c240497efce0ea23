using System.Text.Json.Nodes;

namespace OrbitGrains.Relay;

public sealed partial class UserRelayGrain
{
    public async Task<bool> Receive(string connectionId, string frame)
    {
        if (!_peers.TryGetValue(connectionId, out var peer))
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
                Unsubscribe(peer, threadId);
                break;
            case "orbit.subscribe" or "orbit.unsubscribe":
                Send(peer.Id, RelayFrames.InvalidFrame($"{type} needs a threadId of 1 to {RelayMessage.MaxIdLength} characters."));
                break;
            case "anchor.hello" when peer.IsAnchor:
                await HelloAsync(peer, message);
                break;
            case "orbit.list-anchors" when !peer.IsAnchor:
                Send(peer.Id, RelayFrames.Anchors(OnlineAnchors()));
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

        if (peer.IsAnchor)
        {
            var anchorId = EnsureAnchorId(peer);
            peer.Threads.Add(threadId);
            Index(_threadAnchors, threadId).Add(anchorId);
            await _bindings.BindAsync(threadId, anchorId);
            Send(peer.Id, RelayFrames.Subscribed(threadId));
            return;
        }

        peer.Threads.Add(threadId);
        Index(_threadClients, threadId).Add(peer.Id);
        _plans.Clear();
        await _recorder.FlushAsync(threadId);
        var snapshot = await Thread(threadId).Snapshot(100);
        _bindings.Remember(threadId, snapshot.BoundAnchorId);
        Send(peer.Id, RelayFrames.Subscribed(threadId));
        Send(peer.Id, RelayFrames.RelayState(threadId, snapshot));
        foreach (var stored in snapshot.Replay)
        {
            Send(peer.Id, stored);
        }

        if (_threadAnchors.TryGetValue(threadId, out var anchors))
        {
            Send(anchors.Select(a => _anchorsById.GetValueOrDefault(a)).OfType<string>(), RelayFrames.ClientSubscribed(threadId));
        }
    }

    private Task HelloAsync(RelayPeer peer, RelayMessage message)
    {
        var anchorId = message.Text("anchorId") ?? message.Text("deviceId") ?? peer.AnchorId ?? NewAnchorId();
        if (peer.AnchorId is { } previous && previous != anchorId)
        {
            Rekey(peer, previous, anchorId);
        }

        // A newer socket of the same anchor replaces the older one.
        if (_anchorsById.TryGetValue(anchorId, out var older) && older != peer.Id)
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
        peer.AnchorId = anchorId;
        _anchorsById[anchorId] = peer.Id;
        peer.Info = new AnchorInfo(anchorId, Limit(message.Text("hostname")), Limit(message.Text("platform")), clock.GetUtcNow());
        Send(ClientIds(), RelayFrames.AnchorConnected(peer.Info));
    }

    private string EnsureAnchorId(RelayPeer peer)
    {
        if (peer.AnchorId is null)
        {
            peer.AnchorId = NewAnchorId();
            _anchorsById[peer.AnchorId] = peer.Id;
        }

        return peer.AnchorId;
    }

    private void Rekey(RelayPeer peer, string previous, string next)
    {
        _anchorsById.Remove(previous);
        foreach (var threadId in peer.Threads)
        {
            if (_threadAnchors.TryGetValue(threadId, out var set) && set.Remove(previous))
            {
                set.Add(next);
            }
        }
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

    private static HashSet<string> Index(Dictionary<string, HashSet<string>> index, string threadId)
    {
        if (!index.TryGetValue(threadId, out var set))
        {
            index[threadId] = set = new HashSet<string>(StringComparer.Ordinal);
        }

        return set;
    }

    private static string NewAnchorId() => $"anchor-{Guid.NewGuid():N}";

    private static string? Limit(string? text) => text is { Length: > 200 } ? text[..200] : text;

    private static string Truncate(string text) => text.Length <= 64 ? text : text[..64];
}
