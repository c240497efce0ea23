using System.Net.WebSockets;
using System.Text.Json.Nodes;
using OrbitGrains.Rooms;
using OrbitGrains.WebFrontend.Sockets;

namespace OrbitGrains.WebFrontend.Rooms;

/// <summary>
/// One participant's socket: authentication (query token or a first {"token": ...} message), which room it is
/// in, and turning its frames into room calls. Rules live in the room grain; this only checks schemas.
/// </summary>
public sealed partial class RoomSocketSession
{
    private readonly RoomSocketContext _context;
    private readonly string? _address;
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

    public RoomSocketSession(WebSocket socket, RoomSocketContext context, string? address)
    {
        _context = context;
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

    private void ReleaseDeliveries(string first)
    {
        lock (_gate)
        {
            Socket.Enqueue(first);
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

    public async Task RunAsync(string? queryToken, string? sessionId, CancellationToken cancellationToken)
    {
        _context.Hub.Add(this);
        using var authDeadline = new CancellationTokenSource();
        try
        {
            if (!string.IsNullOrWhiteSpace(queryToken))
            {
                await AuthenticateAsync(queryToken, sessionId, cancellationToken);
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
            _context.Hub.Remove(this);
            await LeaveAsync("disconnected");
        }
    }

    private async Task AuthenticateAsync(string token, string? sessionId, CancellationToken cancellationToken)
    {
        var caller = await _context.Identity.ResolveAsync(token, allowRoomTokens: true, cancellationToken);
        if (caller is null)
        {
            await FailAuthAsync("invalid or expired token");
            return;
        }

        _caller = caller;
        _tokenKey = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token)))[..32];
        _participant = new RoomParticipant(ConnectionId, caller.Name, caller.Role, _context.Hub.HubId, _address);
        await EnterAsync(string.IsNullOrWhiteSpace(sessionId) ? SessionRoomGrain.GlobalRoom : sessionId.Trim(), closeIfUnknown: true);
    }

    /// <summary>Accepted, then closed with 4401 (the original's documented code), and written to the global audit log.</summary>
    private async Task FailAuthAsync(string why)
    {
        if (_caller is not null || Interlocked.Exchange(ref _authFailed, 1) == 1)
        {
            return;
        }

        Socket.Enqueue(RoomFrames.Error("unauthorized", "Unauthorized: " + why + "."));
        Socket.Close((WebSocketCloseStatus)RoomCloseCodes.Unauthorized, "Unauthorized");
        try
        {
            await _context.Grains.GetGrain<IAuditLogGrain>(SessionRoomGrain.GlobalRoom).Append(
                new AuditEntry(0, _context.Clock.GetUtcNow(), "auth_failed", null, null, null, _address, why));
        }
        catch (Exception ex) when (ex is TimeoutException or OrleansException)
        {
            LogAuditFailed(_context.Logger, ex, ConnectionId);
        }
    }

    private async Task<bool> EnterAsync(string sessionId, bool closeIfUnknown)
    {
        HoldDeliveries();
        var result = SignalMessages.IsSessionId(sessionId)
            ? await _context.Grains.GetGrain<ISessionRoomGrain>(sessionId).Join(_participant!, _context.Hub.Reference)
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
        ReleaseDeliveries(Joined(room));
        return true;
    }

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
                await AuthenticateAsync(auth.Token, _pendingSession, CancellationToken.None);
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
            case SignalFrame.Routed routed when RoomId is { } roomId:
                await RouteAsync(roomId, routed.Envelope);
                return;
            default:
                Socket.Enqueue(RoomFrames.Error("not_in_room", "Join a session first (a join message with session_id).", null));
                return;
        }
    }

    private async Task RouteAsync(string roomId, RoomEnvelope envelope)
    {
        try
        {
            if (await _context.Grains.GetGrain<ISessionRoomGrain>(roomId).Receive(ConnectionId, envelope) == ReceiveOutcome.UnknownConnection)
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

    [LoggerMessage(Level = LogLevel.Error, Message = "A failed authentication on {ConnectionId} could not be audited")]
    private static partial void LogAuditFailed(ILogger logger, Exception exception, string connectionId);
}

/// <summary>What every room socket of this front end shares.</summary>
public sealed record RoomSocketContext(
    IGrainFactory Grains,
    RoomConnectionHub Hub,
    RoomIdentity Identity,
    TurnCredentials Turn,
    RoomRateLimits RateLimits,
    RoomsOptions Options,
    SocketLimits Limits,
    TimeProvider Clock,
    ILogger Logger);
