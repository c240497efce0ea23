using OrbitGrains.Shared;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using OrbitGrains.Hosting;
using OrbitGrains.Telemetry;

namespace OrbitGrains.Rooms;

/// <summary>
/// One signaling room. Presence, roles and the control lock live in memory (sockets rejoin if they are lost with
/// a silo); that the room exists and is being recorded is durable. Every routing and authority decision is made
/// here; frames go out with one call per front-end hub that holds recipients.
/// </summary>
// A room lives where its first socket arrives: with a single front end every call is then local.
[Orleans.Placement.PreferLocalPlacement]
public sealed partial class SessionRoomGrain(
    [PersistentState("room", OrbitStorageNames.GrainState)] IPersistentState<RoomState> state,
    TimeProvider clock,
    OrbitMeter meter,
    ILogger<SessionRoomGrain> logger) : Grain, ISessionRoomGrain
{
    /// <summary>The room of sockets that name no session, as in the original global broadcast.</summary>
    public const string GlobalRoom = "global";

    /// <summary>Recording ids are this prefix and an issued id (<see cref="OrbitGrains.Shared.IssuedIds"/>).</summary>
    public const string RecordingPrefix = "rec-";
    private static readonly TimeSpan DefaultLease = TimeSpan.FromSeconds(30);

    private readonly Dictionary<string, Participant> _participants = new(StringComparer.Ordinal);
    private readonly HubLeases<IRoomHub> _hubs = new();
    /// <summary>hub id -> its participants' connection ids; rebuilt only when membership changes, shared by every delivery.</summary>
    private Dictionary<string, string[]>? _byHub;
    private string? _controlHolder;
    private IGrainTimer? _leaseTimer;

    /// <summary>Decoded from the grain id once: every routed message names the room.</summary>
    private string SessionId => _sessionId ??= this.GetPrimaryKeyString();

    private string? _sessionId;

    private bool Exists => state.State.Created || SessionId == GlobalRoom;

    /// <summary>
    /// The legacy global room relays and nothing more: the original's clients (and its smoke test) expect the first
    /// frame they receive to be another client's message, so nobody there hears of joins and leaves.
    /// </summary>
    private bool IsLegacy => SessionId == GlobalRoom;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _leaseTimer = this.RegisterGrainTimer(ExpireLeasesAsync, new GrainTimerCreationOptions(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)));
        if (state.State.RecordingId is not null)
        {
            StartFlushTimer();
        }

        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _leaseTimer?.Dispose();
        await FlushRecordingAsync(cancellationToken);
    }

    public async Task<bool> Create(string createdBy, string? ownerId, string? name, string role, string? address)
    {
        if (Exists)
        {
            return false;
        }

        state.State.Created = true;
        state.State.CreatedAt = clock.GetUtcNow();
        state.State.CreatedBy = createdBy;
        state.State.OwnerId = ownerId;
        state.State.Name = name;
        await state.WriteStateAsync();
        await AuditAsync("session_created", createdBy, role, address, name);
        return true;
    }

    public async Task<JoinResult> Join(RoomParticipant participant, IRoomHub hub)
    {
        if (!Exists)
        {
            return new JoinResult(JoinOutcome.UnknownSession, null);
        }

        Lease(participant.HubId, hub, DefaultLease);
        if (!_participants.ContainsKey(participant.ConnectionId))
        {
            var joined = new Participant(participant, clock.GetUtcNow());
            _participants[participant.ConnectionId] = joined;
            _byHub = null;
            var frame = RoomFrames.ParticipantJoined(SessionId, joined.Info);
            if (!IsLegacy)
            {
                Broadcast(frame, except: participant.ConnectionId);
            }

            Record("participant_joined", participant.ConnectionId, frame);
            if (_participants.Count == 1)
            {
                ReportToIndex();
            }

            await AuditAsync("join", participant.Name, RoomRoles.Name(participant.Role), participant.Address, participant.ConnectionId);
        }

        return new JoinResult(JoinOutcome.Joined, Describe());
    }

    public Task Leave(string connectionId, string reason) => DropAsync(connectionId, reason, audit: true);

    public Task RenewHub(string hubId, IRoomHub hub, TimeSpan lease, string[] connectionIds)
    {
        Lease(hubId, hub, lease);
        foreach (var unknown in connectionIds.Where(id => !_participants.ContainsKey(id)))
        {
            _ = hub.Close(unknown, RoomCloseCodes.ServiceRestart, "Room restarted; reconnect and join again");
        }

        return Task.CompletedTask;
    }

    public Task<RoomSnapshot> Snapshot() => Task.FromResult(Describe());

    private RoomSnapshot Describe() => new(
        SessionId,
        Exists,
        _participants.Values.OrderBy(p => p.JoinedAt).Select(p => p.Info).ToArray(),
        _controlHolder,
        state.State.RecordingId,
        state.State.CreatedAt,
        state.State.Name,
        state.State.OwnerId);

    private void Lease(string hubId, IRoomHub hub, TimeSpan lease) => _hubs.Renew(hubId, hub, lease);

    private async Task ExpireLeasesAsync(CancellationToken cancellationToken)
    {
        var expired = _hubs.Expire();
        if (expired.Count == 0)
        {
            return;
        }

        // The silo holding these sockets stopped renewing: it is gone or cut off, and so are its sockets.
        foreach (var participant in _participants.Values.Where(p => expired.Contains(p.Connection.HubId)).ToList())
        {
            LogLeaseExpired(participant.Id, participant.Connection.HubId);
            await DropAsync(participant.Id, "connection_lost", audit: true);
        }
    }

    private async Task DropAsync(string connectionId, string reason, bool audit)
    {
        if (!_participants.Remove(connectionId, out var participant))
        {
            return;
        }

        _byHub = null;
        if (_controlHolder == connectionId)
        {
            _controlHolder = null;
            var control = RoomFrames.Control(SessionId, null, null);
            Broadcast(control, except: null);
            Record("control", null, control);
        }

        var frame = RoomFrames.ParticipantLeft(SessionId, connectionId, reason);
        if (!IsLegacy)
        {
            Broadcast(frame, except: null);
        }

        Record("participant_left", connectionId, frame);
        if (_participants.Count == 0)
        {
            ReportToIndex();
        }

        if (audit)
        {
            await AuditAsync("leave", participant.Connection.Name, RoomRoles.Name(participant.Connection.Role), participant.Connection.Address, $"{connectionId}: {reason}");
        }
    }

    private void ReportToIndex() =>
        _ = GrainFactory.GetGrain<IRoomIndexGrain>("active").Report(SessionId, _participants.Count);

    private Task<long> AuditAsync(string action, string? actor, string? role, string? address, string? detail) =>
        GrainFactory.GetGrain<IAuditLogGrain>(SessionId).Append(
            new AuditEntry(0, clock.GetUtcNow(), action, SessionId, actor, role, address, detail));

    /// <summary>Every participant except one, one call per hub.</summary>
    private int Broadcast(string frame, string? except, Func<Participant, bool>? only = null)
    {
        if (only is not null)
        {
            var chosen = _participants.Values.Where(p => p.Id != except && only(p)).Select(p => p.Id).ToList();
            Send(chosen, frame);
            return chosen.Count;
        }

        _byHub ??= _participants.Values.GroupBy(p => p.Connection.HubId).ToDictionary(g => g.Key, g => g.Select(p => p.Id).ToArray(), StringComparer.Ordinal);
        foreach (var (hubId, ids) in _byHub)
        {
            if (_hubs.TryGet(hubId, out var hub))
            {
                _ = hub.Deliver(SessionId, new Immutable<string[]>(ids), except, frame);
            }
        }

        return except is not null && _participants.ContainsKey(except) ? _participants.Count - 1 : _participants.Count;
    }

    private void Send(IEnumerable<string> connectionIds, string frame)
    {
        foreach (var group in connectionIds.Select(id => _participants.GetValueOrDefault(id)).OfType<Participant>().GroupBy(p => p.Connection.HubId))
        {
            if (_hubs.TryGet(group.Key, out var hub))
            {
                _ = hub.Deliver(SessionId, new Immutable<string[]>(group.Select(p => p.Id).ToArray()), null, frame);
            }
        }
    }

    private void Send(string connectionId, string frame) => Send([connectionId], frame);


    private sealed class Participant(RoomParticipant connection, DateTimeOffset joinedAt)
    {
        public RoomParticipant Connection { get; } = connection;
        public string Id => Connection.ConnectionId;
        public DateTimeOffset JoinedAt { get; } = joinedAt;
        public ParticipantInfo Info { get; } = new(connection.ConnectionId, connection.Name, RoomRoles.Name(connection.Role), joinedAt);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Room participant {ConnectionId} dropped: the lease of hub {HubId} expired")]
    private partial void LogLeaseExpired(string connectionId, string hubId);
}
