using OrbitGrains.Rooms;
using OrbitGrains.WebFrontend.Admin;
using OrbitGrains.WebFrontend.Hosting;
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

        var api = app.MapGroup("/api").WithTags("Rooms").AllowAnonymous();
        api.MapPost("/login", LoginAsync)
            .WithSummary("Bearer: an AUTH_TOKENS entry or the admin token. Body {\"role\": \"viewer\"|\"operator\"|\"robot\"|\"admin\", \"name\"?: string} " +
                         "-> 200 {\"token\", \"token_type\": \"bearer\", \"role\", \"expires_in\"}; a room token for /ws?token=. " +
                         "Static tokens may ask for viewer, operator or robot; only the admin token for admin. Errors: {\"detail\"}.");
        api.MapPost("/session", CreateSessionAsync)
            .WithSummary("Bearer: any valid token of operator or admin role. Body {\"name\"?: string} (optional) -> 201 {\"session_id\", \"name\", \"created_at\"}.");
        api.MapGet("/turn", IceServersAsync)
            .WithSummary("Bearer: any valid token. -> {\"ice_servers\": [RTCIceServer], \"ttl\"}: TURN REST credentials (username <expiry>:<user>, HMAC-SHA1).");
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

    private static async Task<IResult> LoginAsync(HttpContext context, Body<RoomLoginRequest> body, RoomIdentity identity, RoomTokens tokens)
    {
        var caller = await identity.ResolveAsync(BearerAuthenticationHandler.ReadBearer(context.Request), allowRoomTokens: false, context.RequestAborted);
        if (caller is null)
        {
            return RoomErrors.Unauthorized("Send Authorization: Bearer <AUTH_TOKENS entry or admin token>.");
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
                return RoomErrors.Detail(StatusCodes.Status403Forbidden, "Only the admin token may obtain an admin room token.");
            }
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

        var (token, expiresIn) = tokens.Issue(name, role);
        return Results.Json(new { token, token_type = "bearer", role = RoomRoles.Name(role), expires_in = expiresIn });
    }

    private static async Task<IResult> CreateSessionAsync(
        HttpContext context, Body<RoomSessionRequest> body, RoomIdentity identity, IGrainFactory grains, TimeProvider clock)
    {
        var caller = await identity.ResolveAsync(BearerAuthenticationHandler.ReadBearer(context.Request), allowRoomTokens: true, context.RequestAborted);
        if (caller is null)
        {
            return RoomErrors.Unauthorized();
        }

        if (!RoomRoles.MayStop(caller.Role))
        {
            return RoomErrors.Detail(StatusCodes.Status403Forbidden, "Only an operator or an admin may create a session.");
        }

        var name = body.Value.Name?.Trim();
        if (name is { Length: > 100 } || (name?.Any(char.IsControl) ?? false))
        {
            return RoomErrors.BadRequest("name must be at most 100 printable characters.");
        }

        var sessionId = OrbitGrains.Shared.IssuedIds.New();
        await grains.GetGrain<ISessionRoomGrain>(sessionId).Create(caller.Name, string.IsNullOrEmpty(name) ? null : name);
        return Results.Json(new { session_id = sessionId, name = string.IsNullOrEmpty(name) ? null : name, created_at = clock.GetUtcNow() },
            statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> IceServersAsync(HttpContext context, RoomIdentity identity, TurnCredentials turn)
    {
        var caller = await identity.ResolveAsync(RequestToken.Read(context.Request),
            allowRoomTokens: true, context.RequestAborted);
        return caller is null
            ? RoomErrors.Unauthorized()
            : Results.Json(new { ice_servers = turn.IceServers(caller.Name), ttl = turn.TtlSeconds });
    }
}
