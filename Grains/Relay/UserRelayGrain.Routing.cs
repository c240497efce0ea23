namespace OrbitGrains.Relay;

public sealed partial class UserRelayGrain
{
    /// <summary>Clients' requests waiting for an anchor: answerer = anchor id, asker = client connection.</summary>
    private readonly PendingRequests _clientRequests = new(MaxPending);

    /// <summary>Anchors' requests waiting for a client: answerer = client connection, asker = anchor id.</summary>
    private readonly PendingRequests _anchorRequests = new(MaxPending);

    private async Task FromClientAsync(RelayPeer client, RelayMessage message, string frame)
    {
        // 1. A response goes back to the anchor that asked this client.
        if (message.IsResponse && _anchorRequests.TryComplete(client.Id, message.IdKey!, out var asked)
            && _presence.AnchorConnections.TryGetValue(asked.Asker, out var askingConnection))
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
            await _bindings.BindAsync(threadId, anchorId);
        }

        if (message.IsRequest && _clientRequests.Add(client.Id, [anchorId], message.IdKey!) is { } sentId)
        {
            // Another client's request with the same id is still waiting on this anchor.
            frame = message.WithId(sentId);
        }

        Send(_presence.AnchorConnections[anchorId], frame);
    }

    private async Task<(string? AnchorId, RelayRouteError? Error)> ChooseAnchorAsync(RelayMessage message)
    {
        if (message.AnchorId is { } named)
        {
            if (!_presence.IsOnline(named))
            {
                return (null, RelayRouteError.AnchorNotFound);
            }

            if (message.ThreadId is { } thread && await _bindings.AnchorOfAsync(thread) is { } bound && bound != named)
            {
                return (null, RelayRouteError.ThreadAnchorMismatch);
            }

            return (named, null);
        }

        if (message.ThreadId is { } threadId)
        {
            if (await _bindings.AnchorOfAsync(threadId) is { } bound)
            {
                return _presence.IsOnline(bound) ? (bound, null) : (null, RelayRouteError.ThreadAnchorOffline);
            }

            var subscribed = _presence.AnchorsOn(threadId).Where(_presence.IsOnline).ToList();
            if (subscribed.Count == 1)
            {
                return (subscribed[0], null);
            }

            if (subscribed.Count > 1)
            {
                return (null, RelayRouteError.ThreadAnchorMismatch);
            }
        }

        var online = _presence.AnchorConnections.Keys.ToList();
        return online.Count switch
        {
            0 => (null, RelayRouteError.NoAnchors),
            1 => (online[0], null),
            _ => (null, RelayRouteError.AnchorRequired),
        };
    }

    private async Task FromAnchorAsync(RelayPeer anchor, RelayMessage message, string frame)
    {
        var anchorId = _presence.EnsureAnchorId(anchor);

        // 1. A response completes a multi-dispatch, or goes only to the client that asked.
        if (message.IsResponse)
        {
            if (_multiDispatch.TryComplete(anchorId, message))
            {
                return;
            }

            if (_clientRequests.TryComplete(anchorId, message.IdKey!, out var asked))
            {
                // The anchor that answers with a thread (thread/start, thread/resume) is where that thread lives;
                // stored before the client can act on the answer.
                if (message.ThreadId is { } answeredThread)
                {
                    await _bindings.BindAsync(answeredThread, anchorId);
                }

                frame = asked.OriginalId is { } originalId ? message.WithId(originalId) : frame;
                Send(asked.Asker, frame);

                Record(message, frame, anchorId);
                return;
            }
        }

        // 2. Notifications and server-initiated requests go to the thread's subscribers, else to all the user's clients.
        var plan = _presence.PlanFor(message.ThreadId);
        if (message.IsRequest && _anchorRequests.Add(anchorId, plan.Targets, message.IdKey!) is { } sentId)
        {
            // Another anchor's request with the same id still waits on one of these clients.
            frame = message.WithId(sentId);
        }

        Send(plan, frame);

        // 3. Thread messages are kept for replay, and move the turn and artifacts.
        Record(message, frame, anchorId);
    }

    private void ForgetPending(RelayPeer peer)
    {
        if (peer.IsAnchor && peer.AnchorId is { } anchorId)
        {
            // A request the anchor never answered would otherwise wait forever in the client: it is told the device left.
            foreach (var request in _clientRequests.ForgetAnswerer(anchorId))
            {
                if (_presence.Contains(request.Asker))
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
