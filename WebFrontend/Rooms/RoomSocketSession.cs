using System.Net.WebSockets;
using System.Security.Claims;
using System.Text.Json.Nodes;
using OrbitGrains.Accounts;
using OrbitGrains.Rooms;
using OrbitGrains.WebFrontend.Hosting.Access;
using OrbitGrains.WebFrontend.Sockets;

namespace OrbitGrains.WebFrontend.Rooms;

/// <summary>
/// One participant's socket: authentication (the request's credential, or a first {"token": ...} message checked by
/// the same layer), which room it is in, and turning its frames into room calls. Rules live in the room grain; this
/// only checks schemas. A person's socket follows their account: disabled or signed out, it closes 4401; with a new
/// role, it closes 4403 so the peer joins again with that role.
/// </summary>
public sealed partial class RoomSocketSession : IAccountSocket
{
    private readonly RoomSocketContext _context;
    private readonly HttpContext _http;
    private readonly string? _address;
    private IDisposable? _tracked;
    private RoomCaller? _caller;
    /// <summary>Identifies the credential for per-token limits without keeping the token itself.</summary>
    private string _tokenKey = "";
    private RoomParticipant? _participant;
    private int _authFailed;
    /// <summary>The session_id of the query, kept for when a first {"token": ...} message authenticates the socket.</summary>
    private string? _pendingSession;
    private readonly object _gate = new();
    private List<byte[]>? _early;
    private bool _ready;
    private const int MaxEarlyFrames = 1000;

    public RoomSocketSession(WebSocket socket, RoomSocketContext context, HttpContext http, string? address)
    {
        _context = context;
        _http = http;
        _address = address;
        Socket = new BoundedSocket(socket, context.Limits, context.Clock, context.Logger);
    }

    public string ConnectionId { get; } = $"p-{Guid.NewGuid():N}";

    public BoundedSocket Socket { get; }

    /// <summary>
    /// A frame from a room for this socket. Until the socket's own "joined" is queued, frames are held back, so a
    /// client never hears of the room before it hears that it is in it.
    /// </summary>
    public bool Deliver(byte[] frame)
    {
        lock (_gate)
        {
            if (!_ready)
            {
                _early ??= [];
                if (_early.Count >= MaxEarlyFrames)
                {
                    return false;
                }

                _early.Add(frame);
                return true;
            }
        }

        return Socket.Enqueue(frame);
    }

    private void HoldDeliveries()
    {
        lock (_gate)
        {
            _ready = false;
        }
    }

    private void ReleaseDeliveries(string? first)
    {
        lock (_gate)
        {
            if (first is not null)
            {
                Socket.Enqueue(first);
            }

            foreach (var frame in _early ?? [])
            {
                Socket.Enqueue(frame);
            }

            _early = null;
            _ready = true;
        }
    }

    /// <summary>The room this socket is a participant of, set only once the room has accepted it.</summary>
    public string? RoomId { get; private set; }

    /// <summary>The joined room's grain, kept with <see cref="RoomId"/>: telemetry routes through it many times a second, and resolving a reference formats its interface's type name each time.</summary>
    private ISessionRoomGrain? _room;

    /// <summary>The token family of the credential this socket was opened with.</summary>
    public string? FamilyId { get; private set; }

    /// <param name="presentedToken">The request's own credential (authenticated into <see cref="HttpContext.User"/> already), if any.</param>
    public async Task RunAsync(string? presentedToken, string? sessionId, CancellationToken cancellationToken)
    {
        _context.Hub.Add(this);
        using var authDeadline = new CancellationTokenSource();
        try
        {
            if (presentedToken is not null)
            {
                await AuthenticateAsync(_http.User, presentedToken, sessionId);
            }
            else
            {
                // No ?token=: the first message must be {"token": ...}, and soon.
                _pendingSession = sessionId;
                authDeadline.CancelAfter(_context.Options.AuthMessageTimeout);
                authDeadline.Token.Register(() => _ = FailAuthAsync("no token before the deadline"));
            }

            await Socket.RunAsync(OnFrameAsync, cancellationToken);
        }
        finally
        {
            authDeadline.Dispose();
            _tracked?.Dispose();
            _context.Hub.Remove(this);
            await LeaveAsync("disconnected");
        }
    }

    public void OnAccountChanged(UserRecord user)
    {
        if (user.Disabled)
        {
            Socket.Close((WebSocketCloseStatus)RoomCloseCodes.Unauthorized, "Account disabled");
        }
        else if (_caller is { Kind: CallerKind.User } caller && RoomCaller.RoleOf([.. user.Roles]) != caller.Role)
        {
            Socket.Close((WebSocketCloseStatus)RoomCloseCodes.RoleChanged, "Roles changed; join again");
        }
    }

    public void OnSignInEnded() => Socket.Close((WebSocketCloseStatus)RoomCloseCodes.Unauthorized, "Session ended");

    private async Task AuthenticateAsync(ClaimsPrincipal principal, string token, string? sessionId)
    {
        if (RoomCaller.From(principal) is not { } caller)
        {
            await FailAuthAsync("invalid or expired token");
            return;
        }

        _caller = caller;
        _tokenKey = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token)))[..32];
        _participant = new RoomParticipant(ConnectionId, caller.Name, caller.RoleIn(ownerId: null), _context.Hub.HubId, _address);
        if (caller.UserId is { } userId)
        {
            FamilyId = CurrentUser.From(principal)?.FamilyId;
            _tracked = await _context.AccountSockets.TrackAsync(userId, this);
        }

        var room = string.IsNullOrWhiteSpace(sessionId) ? caller.Room ?? SessionRoomGrain.GlobalRoom : sessionId.Trim();
        await EnterAsync(room, closeIfUnknown: true);
    }

    /// <summary>
    /// Accepted, then closed with 4401 (the original's documented code). Counted for the audit log per address and
    /// minute (<see cref="RoomAuthFailures"/>) rather than one durable entry per attempt.
    /// </summary>
    private Task FailAuthAsync(string why)
    {
        if (_caller is not null || Interlocked.Exchange(ref _authFailed, 1) == 1)
        {
            return Task.CompletedTask;
        }

        Socket.Enqueue(RoomFrames.Error("unauthorized", "Unauthorized: " + why + "."));
        Socket.Close((WebSocketCloseStatus)RoomCloseCodes.Unauthorized, "Unauthorized");
        _context.AuthFailures.Record(_address);
        return Task.CompletedTask;
    }

    private async Task<bool> EnterAsync(string sessionId, bool closeIfUnknown)
    {
        HoldDeliveries();
        if (!_caller!.MayEnter(sessionId))
        {
            // A room token scoped to one room is refused everywhere else, as if the room were not there.
            ReleaseDeliveries(RoomFrames.Error("forbidden", "This token is for another session.", "join"));
            if (closeIfUnknown)
            {
                Socket.Close((WebSocketCloseStatus)RoomCloseCodes.Forbidden, "Token is for another session");
            }

            return false;
        }

        var joining = SignalMessages.IsSessionId(sessionId) ? _context.Grains.GetGrain<ISessionRoomGrain>(sessionId) : null;
        var participant = joining is null ? _participant! : _participant! with { Role = await RoleInAsync(joining) };
        var result = joining is not null
            ? await joining.Join(participant, _context.Hub.Reference)
            : new JoinResult(JoinOutcome.UnknownSession, null);
        if (result is not { Outcome: JoinOutcome.Joined, Room: { } room })
        {
            ReleaseDeliveries(RoomFrames.Error("unknown_session", "No session with that session_id; create one with POST /api/session.", "join"));
            if (closeIfUnknown)
            {
                Socket.Close((WebSocketCloseStatus)RoomCloseCodes.UnknownSession, "Unknown session");
            }

            return false;
        }

        if (RoomId is { } previous && previous != sessionId)
        {
            RoomId = null;
            await _context.Grains.GetGrain<ISessionRoomGrain>(previous).Leave(ConnectionId, "moved");
        }

        RoomId = sessionId;
        _room = joining;
        _participant = participant;
        // The legacy global room says nothing of its own, as the original did (see SessionRoomGrain.IsLegacy).
        ReleaseDeliveries(sessionId == SessionRoomGrain.GlobalRoom ? null : Joined(room));
        return true;
    }

    /// <summary>The caller's role in that room: a person's own token drives only the rooms they own (<see cref="RoomCaller.RoleIn"/>).</summary>
    private async Task<RoomRole> RoleInAsync(ISessionRoomGrain room) =>
        _caller!.RoleIn(_caller.RoleDependsOnOwner ? (await room.Snapshot()).OwnerId : null);

    private string Joined(RoomSnapshot room) => new JsonObject
    {
        ["type"] = "joined",
        ["session_id"] = room.SessionId,
        ["participant_id"] = ConnectionId,
        ["name"] = _participant!.Name,
        ["role"] = RoomRoles.Name(_participant.Role),
        ["participants"] = new JsonArray(room.Participants.Where(p => p.Id != ConnectionId).Select(p => (JsonNode)RoomFrames.Participant(p)).ToArray()),
        ["control"] = room.ControlHolder,
        ["recording"] = room.RecordingId is not null,
        ["ice_servers"] = _context.Turn.IceServers(_participant.Name),
        ["ice_ttl"] = _context.Turn.TtlSeconds,
    }.ToJsonString();

    private async Task OnFrameAsync(InboundFrame frame)
    {
        if (_caller is null)
        {
            if (_authFailed == 0 && SignalMessages.Parse(frame, Anonymous, legacyRoom: false) is SignalFrame.Auth auth)
            {
                var principal = await TokenAuthenticator.AuthenticateAsync(_http, auth.Token) ?? new ClaimsPrincipal();
                await AuthenticateAsync(principal, auth.Token, _pendingSession);
            }
            else
            {
                await FailAuthAsync("the first message was not an auth message");
            }

            return;
        }

        if (!_context.RateLimits.TryMessage(_address, _tokenKey))
        {
            Socket.Enqueue(RoomFrames.Error("rate_limited", "Too many messages from this address or token; slow down."));
            Socket.Close((WebSocketCloseStatus)RoomCloseCodes.PolicyViolation, "Rate limit exceeded");
            return;
        }

        var parsed = SignalMessages.Parse(frame, _participant!, legacyRoom: RoomId == SessionRoomGrain.GlobalRoom);
        switch (parsed)
        {
            case SignalFrame.Auth:
                // The original clients send it even when the query carried the token: consumed, never relayed.
                return;
            case SignalFrame.Invalid invalid:
                Socket.Enqueue(RoomFrames.Error(invalid.Code, invalid.Detail, invalid.Type));
                return;
            case SignalFrame.Join join:
                await EnterAsync(join.SessionId, closeIfUnknown: false);
                return;
            case SignalFrame.Leave when RoomId is { } left:
                await LeaveAsync("left");
                Socket.Enqueue(new JsonObject { ["type"] = "left", ["session_id"] = left }.ToJsonString());
                return;
            case SignalFrame.Routed routed when RoomId is not null && _room is { } room:
                await RouteAsync(room, routed.Envelope);
                return;
            default:
                Socket.Enqueue(RoomFrames.Error("not_in_room", "Join a session first (a join message with session_id).", null));
                return;
        }
    }

    private async Task RouteAsync(ISessionRoomGrain room, RoomEnvelope envelope)
    {
        try
        {
            if (await room.Receive(ConnectionId, envelope) == ReceiveOutcome.UnknownConnection)
            {
                Socket.Close((WebSocketCloseStatus)RoomCloseCodes.ServiceRestart, "Room restarted; reconnect and join again");
            }
        }
        catch (Exception ex) when (ex is TimeoutException or OrleansException)
        {
            Socket.Enqueue(RoomFrames.Error("unavailable", "The room could not take the message; send it again.", envelope.Type));
            LogRouteFailed(_context.Logger, ex, ConnectionId);
        }
    }

    private async Task LeaveAsync(string reason)
    {
        if (RoomId is not { } roomId)
        {
            return;
        }

        RoomId = null;
        try
        {
            await _context.Grains.GetGrain<ISessionRoomGrain>(roomId).Leave(ConnectionId, reason);
        }
        catch (Exception ex) when (ex is TimeoutException or OrleansException)
        {
            LogLeaveFailed(_context.Logger, ex, ConnectionId);
        }
    }

    private static readonly RoomParticipant Anonymous = new("", "", RoomRole.Viewer, "", null);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Room frame from {ConnectionId} did not reach its room")]
    private static partial void LogRouteFailed(ILogger logger, Exception exception, string connectionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Leaving the room was not recorded for {ConnectionId}")]
    private static partial void LogLeaveFailed(ILogger logger, Exception exception, string connectionId);

}

/// <summary>What every room socket of this front end shares.</summary>
public sealed record RoomSocketContext(
    IGrainFactory Grains,
    RoomConnectionHub Hub,
    AccountSockets AccountSockets,
    RoomAuthFailures AuthFailures,
    TurnCredentials Turn,
    RoomRateLimits RateLimits,
    RoomsOptions Options,
    SocketLimits Limits,
    TimeProvider Clock,
    ILogger Logger);
