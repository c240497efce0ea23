using OrbitGrains.WebFrontend.Health;
using OrbitGrains.WebFrontend.Hosting.Access;

namespace OrbitGrains.WebFrontend.Rooms;

/// <summary>`WS /ws`: the signaling socket, legacy global room by default, a session room with ?session_id=.</summary>
public static class RoomSocketEndpoint
{
    public static IEndpointRouteBuilder MapRoomSocket(this IEndpointRouteBuilder app)
    {
        // Public at the HTTP level: the signaling contract accepts any socket and closes a bad one with 4401.
        app.Map("/ws", HandleAsync)
            .WithTags("Rooms").AllowAnonymous()
            .WithSummary("Signaling socket (?token=<AUTH_TOKENS entry, room token, admin token, or a person's session or user token>&session_id=<room>). " +
                         "A person's own token joins with their role in that room (an operator drives only the rooms they own, and watches others). " +
                         "A bad token is accepted, then closed with 4401; without ?token= the first message must be {\"token\": ...}.");
        return app;
    }

    private static async Task HandleAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            await RoomErrors.Detail(StatusCodes.Status426UpgradeRequired, "This endpoint speaks WebSocket only.").ExecuteAsync(context);
            return;
        }

        var services = context.RequestServices;
        var address = context.Connection.RemoteIpAddress?.ToString();
        if (!services.GetRequiredService<RoomRateLimits>().TryConnect(address))
        {
            context.Response.Headers.RetryAfter = "1";
            await RoomErrors.Detail(StatusCodes.Status429TooManyRequests, "Too many connections from this address; retry shortly.").ExecuteAsync(context);
            return;
        }

        var counters = services.GetRequiredService<ConnectionCounters>();
        using var webSocket = await context.WebSockets.AcceptWebSocketAsync();
        var session = new RoomSocketSession(webSocket, services.GetRequiredService<RoomSocketContext>(), context, address);
        using var counted = counters.Track(ConnectionKind.RoomParticipant);
        // Kestrel waits for open requests on shutdown: tell peers to go (1001) so they reconnect to another node.
        using var stopping = services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(
            session.Socket.GoAway);
        await session.RunAsync(RequestCredential.Token(context.Request), context.Request.Query["session_id"].ToString(), context.RequestAborted);
        if (session.Socket.EndedByProtocolError)
        {
            await Sockets.LingeringUpgrade.DrainAsync(context);
        }
    }
}
