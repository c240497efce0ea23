using OrbitGrains.Shared;
using Microsoft.Extensions.Logging;

namespace OrbitGrains.Relay;

/// <summary>
/// One user's relay. Holds the presence and subscriptions of the user's sockets in memory (hubs reconcile it when
/// cluster membership changes, so a relay activated anew closes the sockets it does not know and their peers come
/// back) and makes every routing decision; threads keep what must last. Frames go out with one call per front-end
/// hub that holds targets. An idle relay costs nothing: no timer runs unless messages wait to be stored.
/// </summary>
// The user's relay lives where the user's first socket arrives: most of its calls are then local.
[Orleans.Placement.PreferLocalPlacement]
public sealed partial class UserRelayGrain(TimeProvider clock, IClusterMembershipService membership, ILogger<UserRelayGrain> logger) : Grain, IUserRelayGrain
{
    /// <summary>Pending-request maps are bounded so a peer that never answers cannot grow memory.</summary>
    private const int MaxPending = 10_000;

    private readonly Dictionary<string, RelayPeer> _peers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _clientsById = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _anchorsById = new(StringComparer.Ordinal);
    /// <summary>The hubs holding this user's sockets (their liveness is the registry's and membership's to judge).</summary>
    private readonly Dictionary<string, IRelayHub> _hubs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _threadClients = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _threadAnchors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DeliveryPlan> _plans = new(StringComparer.Ordinal);
    private const string AllClientsKey = "\0all";
    private IGrainTimer? _recordTimer;
    private bool _recordTimerArmed;
    private ThreadRecorder _recorder = null!;
    private MultiDispatcher _multiDispatch = null!;
    private ThreadBindings _bindings = null!;

    private string UserId => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _recorder = new ThreadRecorder(Thread, ArmRecordFlush, logger);
        _bindings = new ThreadBindings(Thread);
        _multiDispatch = new MultiDispatcher(_anchorsById, Send, StartTimer, clock);
        // Disarmed until a message waits to be stored (ArmRecordFlush): an idle relay runs no timer.
        _recordTimer = this.RegisterGrainTimer(ct =>
        {
            _recordTimerArmed = false;
            // The tick only hands batches over; waiting for them here would hold the user's relay like a request does.
            _ = _recorder.FlushAllAsync();
            return Task.CompletedTask;
        }, new GrainTimerCreationOptions(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan));
        return Task.CompletedTask;
    }

    /// <summary>Flushes pending thread messages once, <see cref="ThreadRecorder.FlushInterval"/> from now.</summary>
    private void ArmRecordFlush()
    {
        if (!_recordTimerArmed)
        {
            _recordTimerArmed = true;
            _recordTimer!.Change(ThreadRecorder.FlushInterval, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>A one-shot timer on this grain's scheduler; disposing it cancels it.</summary>
    private IDisposable StartTimer(Action tick, TimeSpan dueTime) =>
        this.RegisterGrainTimer(() => { tick(); return Task.CompletedTask; }, new GrainTimerCreationOptions(dueTime, Timeout.InfiniteTimeSpan));

    /// <summary>Keeps a thread message for replay (messages without a thread are not kept).</summary>
    private void Record(RelayMessage message, string frame, string anchorId)
    {
        if (message.ThreadId is { } threadId)
        {
            _recorder.Record(threadId, frame, anchorId);
        }
    }

    /// <summary>
    /// While sockets are registered the relay must stay: its presence lives only in memory. Without any, it may go.
    /// </summary>
    private void HoldWhileConnected()
    {
        if (_peers.Count > 0)
        {
            DelayDeactivation(TimeSpan.FromDays(1));
        }
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => _recorder.FlushAllAsync();

    public async Task Connect(RelayConnection connection, IRelayHub hub)
    {
        SetHub(connection.HubId, hub);
        if (_peers.ContainsKey(connection.ConnectionId))
        {
            return;
        }

        var peer = new RelayPeer(connection);
        _peers[connection.ConnectionId] = peer;
        _plans.Clear();
        HoldWhileConnected();
        if (connection.Role == RelayRole.Client && connection.ClientId is { } clientId)
        {
            if (_clientsById.TryGetValue(clientId, out var older) && older != connection.ConnectionId)
            {
                await ReplaceAsync(older);
            }

            _clientsById[clientId] = connection.ConnectionId;
        }
    }

    public Task Disconnect(string connectionId) => DropAsync(connectionId, closeSocket: false);

    public async Task Reconcile(string hubId, IRelayHub hub, string[] connectionIds)
    {
        SetHub(hubId, hub);
        foreach (var unknown in connectionIds.Where(id => !_peers.ContainsKey(id)))
        {
            _ = hub.Close(unknown, RelayCloseCodes.ServiceRestart, RelayCloseCodes.ServiceRestartReason);
        }

        // The hub holds exactly these: any other socket this relay lists there ended unnoticed.
        var held = connectionIds.ToHashSet(StringComparer.Ordinal);
        foreach (var stale in _peers.Values.Where(p => p.Connection.HubId == hubId && !held.Contains(p.Id)).ToList())
        {
            await DropAsync(stale.Id, closeSocket: false);
        }

        // Membership changed: sockets on silos it declares dead are gone, whether or not the registry saw it yet.
        var snapshot = membership.CurrentSnapshot;
        foreach (var deadHub in _hubs.Keys.Where(id => RelayHubIds.SiloOf(id) is { } silo && snapshot.GetSiloStatus(silo) == SiloStatus.Dead).ToList())
        {
            await HubLost(deadHub);
        }
    }

    public async Task HubLost(string hubId)
    {
        if (!_hubs.Remove(hubId))
        {
            return;
        }

        _plans.Clear();

        // The silo holding these sockets stopped renewing or died: they are gone.
        foreach (var peer in _peers.Values.Where(p => p.Connection.HubId == hubId).ToList())
        {
            LogHubLost(peer.Id, hubId);
            await DropAsync(peer.Id, closeSocket: false);
        }
    }

    public Task<AnchorInfo[]> ListAnchors() => Task.FromResult(OnlineAnchors().ToArray());

    private IEnumerable<AnchorInfo> OnlineAnchors() =>
        _anchorsById.Values.Select(id => _peers[id].Info).OfType<AnchorInfo>().OrderBy(a => a.ConnectedAt);

    private void SetHub(string hubId, IRelayHub hub)
    {
        if (!_hubs.TryGetValue(hubId, out var known) || !known.Equals(hub))
        {
            _hubs[hubId] = hub;
            _plans.Clear();
        }
    }

    private async Task ReplaceAsync(string olderConnectionId)
    {
        if (_peers.TryGetValue(olderConnectionId, out var older) && _hubs.TryGetValue(older.Connection.HubId, out var hub))
        {
            _ = hub.Close(olderConnectionId, 1000, "Replaced by newer connection");
        }

        await DropAsync(olderConnectionId, closeSocket: false);
    }

    private async Task DropAsync(string connectionId, bool closeSocket)
    {
        if (!_peers.Remove(connectionId, out var peer))
        {
            return;
        }

        _plans.Clear();
        if (_peers.Count == 0)
        {
            DelayDeactivation(TimeSpan.Zero);
        }

        if (closeSocket && _hubs.TryGetValue(peer.Connection.HubId, out var hub))
        {
            _ = hub.Close(connectionId, 1000, "Closed");
        }

        var threads = peer.Threads.ToList();
        foreach (var thread in threads)
        {
            Unsubscribe(peer, thread);
        }

        ForgetPending(peer);
        if (peer.Connection.ClientId is { } clientId && _clientsById.TryGetValue(clientId, out var current) && current == connectionId)
        {
            _clientsById.Remove(clientId);
        }

        if (peer.IsAnchor && peer.AnchorId is { } anchorId && _anchorsById.TryGetValue(anchorId, out var holder) && holder == connectionId)
        {
            _anchorsById.Remove(anchorId);
            await AnchorGoneAsync(anchorId, peer, threads);
        }
    }

    /// <summary>An anchor's socket ended: clients hear of it, its threads are unbound and running turns interrupted.</summary>
    private async Task AnchorGoneAsync(string anchorId, RelayPeer peer, IReadOnlyList<string> subscribedThreads)
    {
        _multiDispatch.FailAnchor(anchorId);
        if (peer.Info is not null)
        {
            Send(ClientIds(), RelayFrames.AnchorDisconnected(anchorId));
        }

        var threads = _bindings.ThreadsOf(anchorId).Concat(subscribedThreads).Distinct().ToList();
        foreach (var threadId in threads)
        {
            await _recorder.FlushAsync(threadId);
            var thread = Thread(threadId);
            if (await thread.InterruptTurn(anchorId) is { } turn)
            {
                Send(PlanFor(threadId), RelayFrames.TurnInterrupted(threadId, turn));
            }

            await _bindings.ReleaseAsync(threadId, anchorId);
        }
    }

    private void Unsubscribe(RelayPeer peer, string threadId)
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

    private IThreadGrain Thread(string threadId) => GrainFactory.GetGrain<IThreadGrain>($"{UserId}/{threadId}");

    private IEnumerable<string> ClientIds() => _peers.Values.Where(p => !p.IsAnchor).Select(p => p.Id);

    /// <summary>One call per hub that holds any of the targets.</summary>
    private void Send(IEnumerable<string> connectionIds, string frame) => Send(Plan(connectionIds), frame);

    private void Send(DeliveryPlan plan, string frame)
    {
        foreach (var (hub, ids) in plan.ByHub)
        {
            _ = hub.Deliver(UserId, ids, frame);
        }
    }

    /// <summary>
    /// Where a thread's messages go, grouped by hub, cached until presence or subscriptions change, so that
    /// relaying a message allocates nothing for routing.
    /// </summary>
    private DeliveryPlan PlanFor(string? threadId)
    {
        var key = threadId is not null && _threadClients.TryGetValue(threadId, out var subscribers) && subscribers.Count > 0 ? threadId : AllClientsKey;
        if (!_plans.TryGetValue(key, out var plan))
        {
            _plans[key] = plan = Plan(key == AllClientsKey ? ClientIds() : _threadClients[key]);
        }

        return plan;
    }

    private DeliveryPlan Plan(IEnumerable<string> connectionIds)
    {
        var targets = connectionIds.Where(_peers.ContainsKey).ToArray();
        var byHub = targets.GroupBy(id => _peers[id].Connection.HubId)
            .Select(group => (Found: _hubs.TryGetValue(group.Key, out var hub), Hub: hub, Ids: group.ToArray()))
            .Where(entry => entry.Found)
            .Select(entry => (entry.Hub!, entry.Ids))
            .ToArray();
        return new DeliveryPlan(targets, byHub);
    }

    private sealed record DeliveryPlan(string[] Targets, (IRelayHub Hub, string[] Ids)[] ByHub);

    private void Send(string connectionId, string frame) => Send([connectionId], frame);


    [LoggerMessage(Level = LogLevel.Information, Message = "Relay connection {ConnectionId} dropped: hub {HubId} is gone")]
    private partial void LogHubLost(string connectionId, string hubId);
}
