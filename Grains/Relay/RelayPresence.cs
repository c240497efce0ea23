namespace OrbitGrains.Relay;

/// <summary>
/// Who of one user is connected, and where: the user's sockets (<see cref="RelayPeer"/>), each client id's and anchor
/// id's current socket, the front-end hubs holding them, who is subscribed to which thread, and the delivery plans
/// derived from all that (targets grouped by hub, cached until presence or subscriptions change, so relaying a message
/// allocates nothing for routing). Memory only: hubs reconcile it after a relay restarts. Owned by
/// <see cref="UserRelayGrain"/> and used only on its scheduler.
/// </summary>
internal sealed class RelayPresence
{
    private const string AllClientsKey = "\0all";

    private readonly Dictionary<string, RelayPeer> _peers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _clientsById = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _anchorsById = new(StringComparer.Ordinal);

    /// <summary>The hubs holding this user's sockets (their liveness is the registry's and membership's to judge).</summary>
    private readonly Dictionary<string, KnownHub> _hubs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _threadClients = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _threadAnchors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DeliveryPlan> _plans = new(StringComparer.Ordinal);

    /// <summary>Open sockets.</summary>
    public int Count => _peers.Count;

    /// <summary>Anchor id -> the connection id of its current socket.</summary>
    public IReadOnlyDictionary<string, string> AnchorConnections => _anchorsById;

    public bool TryGet(string connectionId, out RelayPeer peer) => _peers.TryGetValue(connectionId, out peer!);

    public bool Contains(string connectionId) => _peers.ContainsKey(connectionId);

    /// <summary>Registers a socket; null when it already is. <paramref name="replaced"/> is the older socket of the same client id.</summary>
    public RelayPeer? Add(RelayConnection connection, out string? replaced)
    {
        replaced = null;
        if (_peers.ContainsKey(connection.ConnectionId))
        {
            return null;
        }

        var peer = new RelayPeer(connection);
        _peers[connection.ConnectionId] = peer;
        _plans.Clear();
        if (connection.Role == RelayRole.Client && connection.ClientId is { } clientId)
        {
            if (_clientsById.TryGetValue(clientId, out var older) && older != connection.ConnectionId)
            {
                replaced = older;
            }

            _clientsById[clientId] = connection.ConnectionId;
        }

        return peer;
    }

    /// <summary>
    /// Forgets a socket, its subscriptions (returned, in <paramref name="threads"/>) and its client id; true in
    /// <paramref name="anchorLeft"/> when it was its anchor's current socket.
    /// </summary>
    public RelayPeer? Remove(string connectionId, out List<string> threads, out bool anchorLeft)
    {
        threads = [];
        anchorLeft = false;
        if (!_peers.Remove(connectionId, out var peer))
        {
            return null;
        }

        _plans.Clear();
        threads = [.. peer.Threads];
        foreach (var thread in threads)
        {
            Unsubscribe(peer, thread);
        }

        if (peer.Connection.ClientId is { } clientId && _clientsById.TryGetValue(clientId, out var current) && current == connectionId)
        {
            _clientsById.Remove(clientId);
        }

        if (peer.IsAnchor && peer.AnchorId is { } anchorId && _anchorsById.TryGetValue(anchorId, out var holder) && holder == connectionId)
        {
            _anchorsById.Remove(anchorId);
            anchorLeft = true;
        }

        return peer;
    }

    /// <summary>
    /// Learns how to reach <paramref name="hubId"/>; <paramref name="takesBatches"/> when one of its sockets said the hub
    /// takes <see cref="IRelayHub.DeliverMany"/> (null: not known from this call, what was learnt stays).
    /// </summary>
    public void SetHub(string hubId, IRelayHub hub, bool? takesBatches = null)
    {
        var known = _hubs.GetValueOrDefault(hubId);
        var learnt = new KnownHub(hub, takesBatches ?? known?.TakesBatches ?? false);
        if (learnt != known)
        {
            _hubs[hubId] = learnt;
            _plans.Clear();
        }
    }

    public bool RemoveHub(string hubId)
    {
        if (!_hubs.Remove(hubId))
        {
            return false;
        }

        _plans.Clear();
        return true;
    }

    public IReadOnlyCollection<string> HubIds => _hubs.Keys;

    public IRelayHub? HubOf(RelayPeer peer) => _hubs.GetValueOrDefault(peer.Connection.HubId)?.Hub;

    /// <summary>The sockets held by one hub (a copy: callers drop them while iterating).</summary>
    public List<RelayPeer> PeersOn(string hubId) => _peers.Values.Where(p => p.Connection.HubId == hubId).ToList();

    public bool IsOnline(string anchorId) => _anchorsById.ContainsKey(anchorId);

    /// <summary>Anchors that said hello, oldest first.</summary>
    public IEnumerable<AnchorInfo> OnlineAnchors() =>
        _anchorsById.Values.Select(id => _peers[id].Info).OfType<AnchorInfo>().OrderBy(a => a.ConnectedAt);

    /// <summary>The anchor's id, made up (and registered) if it has not said hello yet.</summary>
    public string EnsureAnchorId(RelayPeer peer)
    {
        if (peer.AnchorId is null)
        {
            peer.AnchorId = NewAnchorId();
            _anchorsById[peer.AnchorId] = peer.Id;
        }

        return peer.AnchorId;
    }

    public static string NewAnchorId() => $"anchor-{Guid.NewGuid():N}";

    /// <summary>The anchor now answers to <paramref name="next"/>: its registration and subscriptions move.</summary>
    public void Rekey(RelayPeer peer, string previous, string next)
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

    /// <summary>The socket is now the anchor's current one, visible to clients as <paramref name="info"/>.</summary>
    public void Announce(RelayPeer peer, AnchorInfo info)
    {
        peer.AnchorId = info.Id;
        peer.Info = info;
        _anchorsById[info.Id] = peer.Id;
    }

    public void Subscribe(RelayPeer peer, string threadId)
    {
        peer.Threads.Add(threadId);
        if (peer.IsAnchor)
        {
            Index(_threadAnchors, threadId).Add(EnsureAnchorId(peer));
        }
        else
        {
            Index(_threadClients, threadId).Add(peer.Id);
            _plans.Clear();
        }
    }

    public void Unsubscribe(RelayPeer peer, string threadId)
    {
        _plans.Clear();
        var index = peer.IsAnchor ? _threadAnchors : _threadClients;
        var member = peer.IsAnchor ? peer.AnchorId : peer.Id;
        if (member is not null && index.TryGetValue(threadId, out var set))
        {
            set.Remove(member);
            if (set.Count == 0)
            {
                index.Remove(threadId);
            }
        }

        peer.Threads.Remove(threadId);
    }

    /// <summary>The ids of the anchors subscribed to the thread.</summary>
    public IReadOnlyCollection<string> AnchorsOn(string threadId) =>
        _threadAnchors.TryGetValue(threadId, out var anchors) ? anchors : [];

    public IEnumerable<string> ClientIds() => _peers.Values.Where(p => !p.IsAnchor).Select(p => p.Id);

    /// <summary>Where a thread's messages go: its subscribed clients, or every client when none is subscribed.</summary>
    public DeliveryPlan PlanFor(string? threadId)
    {
        var key = threadId is not null && _threadClients.TryGetValue(threadId, out var subscribers) && subscribers.Count > 0 ? threadId : AllClientsKey;
        if (!_plans.TryGetValue(key, out var plan))
        {
            _plans[key] = plan = Plan(key == AllClientsKey ? ClientIds() : _threadClients[key]);
        }

        return plan;
    }

    /// <summary>The open sockets among <paramref name="connectionIds"/>, grouped by the hub that holds them.</summary>
    public DeliveryPlan Plan(IEnumerable<string> connectionIds)
    {
        var targets = connectionIds.Where(_peers.ContainsKey).ToArray();
        var byHub = targets.GroupBy(id => _peers[id].Connection.HubId)
            .Select(group => (Found: _hubs.TryGetValue(group.Key, out var hub), Hub: hub, Ids: group.ToArray()))
            .Where(entry => entry.Found)
            .Select(entry => (entry.Hub!.Hub, entry.Ids, entry.Hub.TakesBatches))
            .ToArray();
        return new DeliveryPlan(targets, byHub);
    }

    private static HashSet<string> Index(Dictionary<string, HashSet<string>> index, string threadId)
    {
        if (!index.TryGetValue(threadId, out var set))
        {
            index[threadId] = set = new HashSet<string>(StringComparer.Ordinal);
        }

        return set;
    }
}

/// <summary>How to reach one hub, and whether it said it takes <see cref="IRelayHub.DeliverMany"/>.</summary>
internal sealed record KnownHub(IRelayHub Hub, bool TakesBatches);

/// <summary>A message's targets (connection ids) and, per hub holding any of them, the ids it holds and whether it takes batches.</summary>
internal sealed record DeliveryPlan(string[] Targets, (IRelayHub Hub, string[] Ids, bool TakesBatches)[] ByHub);
