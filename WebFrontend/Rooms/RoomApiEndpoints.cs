using System.Text.Json;
using System.Text.Json.Serialization;
using OrbitGrains.Rooms;
using OrbitGrains.WebFrontend.Hosting.Access;
using OrbitGrains.WebFrontend.Hosting.Bodies;

namespace OrbitGrains.WebFrontend.Rooms;

/// <summary>`GET /`, `POST /api/login`, `POST /api/session` and `GET /api/turn`: the signaling family's HTTP surface.</summary>
public static class RoomApiEndpoints
{
    public static IEndpointRouteBuilder MapRoomApi(this IEndpointRouteBuilder app)
    {
        // The signaling original's `/` promise (200 HTML saying the service is up) lives here; `/` itself serves it to
        // callers that do not ask for a web page, and the web client to browsers (WebClient/WebClientEndpoints).
        app.MapGet(StatusPath, () => StatusPage())
            .WithTags("Rooms").AllowAnonymous()
            .WithSummary("A small HTML page that says the service is up (also `/` for non-browser clients)");

        // Any credential the selector knows may call these; what it may do is its room role's business.
        var api = app.MapGroup("/api").WithTags("Rooms").RequireAuthorization().WithRefusals(RefusalStyle.Rooms);
        api.MapPost("/login", LoginAsync)
            .WithSummary("Bearer: an AUTH_TOKENS entry, the admin token, or a person's web session or user token. Body {\"role\": \"viewer\"|\"operator\"|\"robot\"|\"admin\", " +
                         "\"name\"?: string, \"session_id\"?: string} -> 200 {\"token\", \"token_type\": \"bearer\", \"role\", \"expires_in\", \"session_id\"}; a room token " +
                         "for /ws?token= (only for that room when session_id is given). Never above the caller's own role; a person needs a room they own " +
                         "(or the admin role) for an operator or robot token. Errors: {\"detail\"}.");
        api.MapPost("/session", CreateSessionAsync)
            .WithSummary("Bearer: any valid credential of operator or admin room role. Body {\"name\"?: string} (optional) -> 201 {\"session_id\", \"name\", \"created_at\"}; the caller owns the room.");
        api.MapGet("/rooms", MyRoomsAsync)
            .WithSummary("Bearer: a person's web session or user token. -> {\"rooms\": [{\"session_id\", \"name\", \"created_at\", \"participants\": [{\"id\",\"name\",\"role\",\"joined_at\"}], " +
                         "\"control\", \"recording_id\"}]}: the rooms the caller created, newest first (at most 200). 403 for shared and room tokens, which own no rooms.")
            .Produces<MyRoomsResponse>();
        api.MapGet("/turn", IceServersAsync)
            .WithSummary("Bearer: any valid credential. -> {\"ice_servers\": [RTCIceServer], \"ttl\"}: TURN REST credentials (username <expiry>:<user>, HMAC-SHA1).");
        return app;
    }

    public const string StatusPath = "/status";

    /// <summary>200 text/html: the service is up, with links to health and the API reference.</summary>
    public static IResult StatusPage() => Results.Content(RootPage, "text/html; charset=utf-8");

    private const string RootPage = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>OrbitGrains signaling</title></head>
        <body><h1>OrbitGrains signaling is up</h1>
        <p>WebSocket: <code>/ws?token=&lt;token&gt;</code>. Health: <a href="/health">/health</a>. API: <a href="/docs">/docs</a>.</p>
        </body></html>
        """;

    private static async Task<IResult> LoginAsync(HttpContext context, Body<RoomLoginRequest> body, RoomTokens tokens, IGrainFactory grains)
    {
        // A room token is never renewed into another, so its holder cannot stay in for ever.
        if (RoomCaller.From(context.User) is not { Kind: not CallerKind.RoomToken } caller)
        {
            return RoomErrors.Unauthorized("Send Authorization: Bearer <AUTH_TOKENS entry, admin token, or your own session or user token>.");
        }

        var request = body.Value;

        var role = caller.Role;
        if (request.Role is { } asked)
        {
            if (!RoomRoles.TryParse(asked, out role))
            {
                return RoomErrors.BadRequest("role must be one of viewer, operator, robot, admin.");
            }

            if (role == RoomRole.Admin && caller.Role != RoomRole.Admin)
            {
                return RoomErrors.Detail(StatusCodes.Status403Forbidden, "Only an admin may obtain an admin room token.");
            }

            if (Rank(role) > Rank(caller.Role))
            {
                return RoomErrors.Detail(StatusCodes.Status403Forbidden, "A room token above your own role is not issued.");
            }
        }

        string? room = null;
        if (request.SessionId is { } sessionId)
        {
            if (!SignalMessages.IsSessionId(sessionId)
                || await grains.GetGrain<ISessionRoomGrain>(sessionId).Snapshot() is not { Exists: true } snapshot)
            {
                return RoomErrors.Detail(StatusCodes.Status404NotFound, "No such session.");
            }

            if (Rank(role) > Rank(caller.RoleIn(snapshot.OwnerId)))
            {
                return RoomErrors.Detail(StatusCodes.Status403Forbidden, "Only the room's owner or an admin may obtain a token above viewer for it.");
            }

            room = sessionId;
        }
        else if (Rank(role) > Rank(caller.RoleIn(ownerId: null)))
        {
            // A person's operator or robot token is for one room of theirs, never for every room.
            return RoomErrors.Detail(StatusCodes.Status403Forbidden, "Name the session_id of a room you own to obtain a token above viewer.");
        }

        var name = caller.Name;
        if (request.Name is { } wanted)
        {
            wanted = wanted.Trim();
            if (wanted.Length is 0 or > 64 || wanted.Any(char.IsControl))
            {
                return RoomErrors.BadRequest("name must be 1 to 64 printable characters.");
            }

            // The credential's identity stays visible, so an audit entry can always be traced to the token that got in.
            name = $"{wanted} ({caller.Name})";
        }

        var (token, expiresIn) = tokens.Issue(name, role, room);
        return Results.Json(new { token, token_type = "bearer", role = RoomRoles.Name(role), expires_in = expiresIn, session_id = room });
    }

    private static async Task<IResult> CreateSessionAsync(HttpContext context, Body<RoomSessionRequest> body, IGrainFactory grains, TimeProvider clock)
    {
        if (RoomCaller.From(context.User) is not { } caller)
        {
            return RoomErrors.Unauthorized();
        }

        if (!RoomRoles.MayStop(caller.Role) || caller.Room is not null)
        {
            return RoomErrors.Detail(StatusCodes.Status403Forbidden, "Only an operator or an admin may create a session.");
        }

        var request = body.Value;

        var name = request.Name?.Trim();
        if (name is { Length: > 100 } || (name?.Any(char.IsControl) ?? false))
        {
            return RoomErrors.BadRequest("name must be at most 100 printable characters.");
        }

        var sessionId = OrbitGrains.Shared.IssuedIds.New();
        var roomName = string.IsNullOrEmpty(name) ? null : name;
        var createdAt = clock.GetUtcNow();
        await grains.GetGrain<ISessionRoomGrain>(sessionId).Create(
            caller.Name, caller.UserId, roomName, RoomRoles.Name(caller.Role), context.Connection.RemoteIpAddress?.ToString());
        if (caller.UserId is { } owner)
        {
            // After the room exists: a failure here leaves a room its owner can still open by id, never a listed room
            // that is not there.
            await grains.GetGrain<IOwnedRoomsGrain>(owner).Add(new OwnedRoom(sessionId, roomName, createdAt));
        }

        return Results.Json(new { session_id = sessionId, name = roomName, created_at = createdAt },
            statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> MyRoomsAsync(HttpContext context, IGrainFactory grains)
    {
        if (RoomCaller.From(context.User) is not { UserId: { } userId, Kind: not CallerKind.RoomToken })
        {
            return RoomErrors.Detail(StatusCodes.Status403Forbidden, "Only a signed-in person owns rooms: use your own session or user token.");
        }

        var owned = await grains.GetGrain<IOwnedRoomsGrain>(userId).List();
        var snapshots = await Task.WhenAll(owned.Select(r => grains.GetGrain<ISessionRoomGrain>(r.SessionId).Snapshot()));
        return Results.Json(new MyRoomsResponse(owned.Zip(snapshots, (room, live) => new MyRoom(
            room.SessionId, room.Name, room.CreatedAt,
            live.Participants.Select(p => new MyRoomParticipant(p.Id, p.Name, p.Role, p.JoinedAt)).ToArray(),
            live.ControlHolder, live.RecordingId)).ToArray()));
    }

    private static IResult IceServersAsync(HttpContext context, TurnCredentials turn) =>
        RoomCaller.From(context.User) is { } caller
            ? Results.Json(new { ice_servers = turn.IceServers(caller.Name), ttl = turn.TtlSeconds })
            : RoomErrors.Unauthorized();

    /// <summary>Roles by what they may do, for "never above the caller's own role": a robot publishes, an operator drives.</summary>
    private static int Rank(RoomRole role) => role switch
    {
        RoomRole.Viewer => 0,
        RoomRole.Robot => 1,
        RoomRole.Operator => 2,
        _ => 3,
    };
}

/// <summary>`GET /api/rooms`: the caller's own rooms, newest first, with who is in each right now.</summary>
public sealed record MyRoomsResponse([property: JsonPropertyName("rooms")] MyRoom[] Rooms);

/// <param name="Control">The connection id holding the control lock, if any.</param>
/// <param name="RecordingId">The recording in progress, if any.</param>
public sealed record MyRoom(
    [property: JsonPropertyName("session_id")] string SessionId,
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("participants")] MyRoomParticipant[] Participants,
    [property: JsonPropertyName("control")] string? Control,
    [property: JsonPropertyName("recording_id")] string? RecordingId);

public sealed record MyRoomParticipant(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("role")] string Role,
    [property: JsonPropertyName("joined_at")] DateTimeOffset JoinedAt);
