using OrbitGrains.Shared;
using Microsoft.Extensions.Logging;

namespace OrbitGrains.Relay;

/// <summary>
/// One user's relay. Holds the presence and subscriptions of the user's sockets in memory (hubs reconcile it when
/// cluster membership changes, so a relay activated anew closes the sockets it does not know and their peers come
/// back) and makes every routing decision; threads keep what must last. Frames go out with one call per front-end
/// hub that holds targets. An idle relay costs nothing: no timer runs unless messages wait to be stored.
/// The parts each have their own class, all used on this grain's scheduler only: <see cref="RelayPresence"/> (who is
/// connected where, subscriptions, delivery plans), <see cref="PendingRequests"/> (request ids per sender),
/// <see cref="ThreadBindings"/>, <see cref="ThreadRecorder"/> (replay, written behind) and <see cref="MultiDispatcher"/>.
/// </summary>
// The user's relay lives where the user's first socket arrives: most of its calls are then local.
[Orleans.Placement.PreferLocalPlacement]
public sealed partial class UserRelayGrain(TimeProvider clock, IClusterMembershipService membership, ILogger<UserRelayGrain> logger) : Grain, IUserRelayGrain
{
    /// <summary>Pending-request maps are bounded so a peer that never answers cannot grow memory.</summary>
    private const int MaxPending = 10_000;

    private readonly RelayPresence _presence = new();
    private readonly RelayOutbox _outbox = new();
    private IGrainTimer? _recordTimer;
    private bool _recordTimerArmed;
    private ThreadRecorder _recorder = null!;
    private MultiDispatcher _multiDispatch = null!;
    private ThreadBindings _bindings = null!;

    private string UserId => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        Func<string, IThreadGrain> thread = Thread;
        _recorder = new ThreadRecorder(thread, ArmRecordFlush, logger);
        _bindings = new ThreadBindings(thread);
        _multiDispatch = new MultiDispatcher(_presence.AnchorConnections, Send, StartTimer, clock);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Flushes pending thread messages once, <see cref="ThreadRecorder.FlushInterval"/> from now. The timer is made when
    /// a message first waits to be stored and is disarmed between flushes: a relay that only holds idle sockets has
    /// none, and runs none.
    /// </summary>
    private void ArmRecordFlush()
    {
        if (!_recordTimerArmed)
        {
            _recordTimerArmed = true;
            _recordTimer ??= this.RegisterGrainTimer(ct =>
            {
                _recordTimerArmed = false;
                // The tick only hands batches over; waiting for them here would hold the user's relay like a request does.
                _ = _recorder.FlushAllAsync();
                return Task.CompletedTask;
            }, new GrainTimerCreationOptions(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan));
            _recordTimer.Change(ThreadRecorder.FlushInterval, Timeout.InfiniteTimeSpan);
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
        if (_presence.Count > 0)
        {
            DelayDeactivation(TimeSpan.FromDays(1));
        }
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => _recorder.FlushAllAsync();

    public async Task Connect(RelayConnection connection, IRelayHub hub)
    {
        _presence.SetHub(connection.HubId, hub, connection.HubTakesBatches);
        if (_presence.Add(connection, out var replaced) is null)
        {
            return;
        }

        HoldWhileConnected();
        if (replaced is not null)
        {
            await ReplaceAsync(replaced);
        }
    }

    public Task Disconnect(string connectionId) => DropAsync(connectionId, closeSocket: false);

    public async Task Reconcile(string hubId, IRelayHub hub, string[] connectionIds)
    {
        _presence.SetHub(hubId, hub);
        foreach (var unknown in connectionIds.Where(id => !_presence.Contains(id)))
        {
            _ = hub.Close(unknown, RelayCloseCodes.ServiceRestart, RelayCloseCodes.ServiceRestartReason);
        }

        // The hub holds exactly these: any other socket this relay lists there ended unnoticed.
        var held = connectionIds.ToHashSet(StringComparer.Ordinal);
        foreach (var stale in _presence.PeersOn(hubId).Where(p => !held.Contains(p.Id)))
        {
            await DropAsync(stale.Id, closeSocket: false);
        }

        // Membership changed: sockets on silos it declares dead are gone, whether or not the registry saw it yet.
        var snapshot = membership.CurrentSnapshot;
        foreach (var deadHub in _presence.HubIds.Where(id => RelayHubIds.SiloOf(id) is { } silo && snapshot.GetSiloStatus(silo) == SiloStatus.Dead).ToList())
        {
            await HubLost(deadHub);
        }
    }

    public async Task HubLost(string hubId)
    {
        if (!_presence.RemoveHub(hubId))
        {
            return;
        }

        // The silo holding these sockets stopped renewing or died: they are gone.
        foreach (var peer in _presence.PeersOn(hubId))
        {
            LogHubLost(peer.Id, hubId);
            await DropAsync(peer.Id, closeSocket: false);
        }
    }

    public Task<AnchorInfo[]> ListAnchors() => Task.FromResult(_presence.OnlineAnchors().ToArray());

    private async Task ReplaceAsync(string olderConnectionId)
    {
        if (_presence.TryGet(olderConnectionId, out var older) && _presence.HubOf(older) is { } hub)
        {
            _ = hub.Close(olderConnectionId, 1000, "Replaced by newer connection");
        }

        await DropAsync(olderConnectionId, closeSocket: false);
    }

    private async Task DropAsync(string connectionId, bool closeSocket)
    {
        if (_presence.Remove(connectionId, out var threads, out var anchorLeft) is not { } peer)
        {
            return;
        }

        if (_presence.Count == 0)
        {
            DelayDeactivation(TimeSpan.Zero);
        }

        if (closeSocket && _presence.HubOf(peer) is { } hub)
        {
            _ = hub.Close(connectionId, 1000, "Closed");
        }

        ForgetPending(peer);
        if (anchorLeft)
        {
            await AnchorGoneAsync(peer.AnchorId!, peer, threads);
        }
    }

    /// <summary>An anchor's socket ended: clients hear of it, its threads are unbound and running turns interrupted.</summary>
    private async Task AnchorGoneAsync(string anchorId, RelayPeer peer, IReadOnlyList<string> subscribedThreads)
    {
        _multiDispatch.FailAnchor(anchorId);
        if (peer.Info is not null)
        {
            Send(_presence.ClientIds(), RelayFrames.AnchorDisconnected(anchorId));
        }

        var threads = _bindings.ThreadsOf(anchorId).Concat(subscribedThreads).Distinct().ToList();
        foreach (var threadId in threads)
        {
            await _recorder.FlushAsync(threadId);
            var thread = Thread(threadId);
            if (await thread.InterruptTurn(anchorId) is { } turn)
            {
                Send(_presence.PlanFor(threadId), RelayFrames.TurnInterrupted(threadId, turn));
            }

            await _bindings.ReleaseAsync(threadId, anchorId);
        }
    }

    private IThreadGrain Thread(string threadId) => GrainFactory.GetGrain<IThreadGrain>($"{UserId}/{threadId}");

    /// <summary>One call per hub that holds any of the targets.</summary>
    private void Send(IEnumerable<string> connectionIds, string frame) => Send(_presence.Plan(connectionIds), frame);

    private void Send(DeliveryPlan plan, string frame)
    {
        foreach (var (hub, ids, takesBatches) in plan.ByHub)
        {
            if (takesBatches && _outbox.IsOpen)
            {
                _outbox.Add(hub, ids, frame);
            }
            else
            {
                _ = hub.Deliver(UserId, ids, frame);
            }
        }
    }

    private void Send(string connectionId, string frame) => Send([connectionId], frame);


    [LoggerMessage(Level = LogLevel.Information, Message = "Relay connection {ConnectionId} dropped: hub {HubId} is gone")]
    private partial void LogHubLost(string connectionId, string hubId);
}
