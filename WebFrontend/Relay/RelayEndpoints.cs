using System.Text.Json.Nodes;
using OrbitGrains.Relay;
using OrbitGrains.WebFrontend.Health;
using OrbitGrains.WebFrontend.Hosting.Access;
using OrbitGrains.WebFrontend.Sockets;

namespace OrbitGrains.WebFrontend.Relay;

/// <summary>`/ws/client` and `/ws/anchor`: the Orbit protocol's sockets, plus their plain-HTTP preflight.</summary>
public static partial class RelayEndpoints
{
    private const int MaxClientIdLength = 200;

    public static IEndpointRouteBuilder MapRelay(this IEndpointRouteBuilder app)
    {
        // Refused before the upgrade with 401 text/plain, as the Anchor's preflight expects (any other 4xx makes it exit).
        var relay = app.MapGroup("").WithTags("Relay").WithRefusals(RefusalStyle.OrbitSocket);
        relay.MapGet("/ws/client", (HttpContext context, string? token, string? clientId) => HandleAsync(context, RelayRole.Client))
            .RequireAuthorization(OrbitPolicies.WebSession)
            .WithSummary("Web client socket (Bearer or ?token=<web JWT>, &clientId=<tab id>); without Upgrade: 426 for a valid token, 401 otherwise");
        relay.MapGet("/ws/anchor", (HttpContext context, string? token) => HandleAsync(context, RelayRole.Anchor))
            .RequireAuthorization(OrbitPolicies.Anchor)
            .WithSummary("Anchor socket (Bearer or ?token=<anchor access token>); without Upgrade: 426 for a valid token, 401 otherwise");
        return app;
    }

    /// <remarks>Not async itself: a socket's request lasts as long as the socket, with one suspended frame (RunSocketAsync), not two.</remarks>
    private static Task HandleAsync(HttpContext context, RelayRole role)
    {
        var services = context.RequestServices;
        var user = context.RequiredUser();
        if (!context.WebSockets.IsWebSocketRequest)
        {
            // The Anchor preflights with a plain GET and exits on anything but 426 or 401.
            return PlainAsync(context, StatusCodes.Status426UpgradeRequired, "Upgrade required");
        }

        var clientId = context.Request.Query["clientId"].ToString().Trim();
        var connection = new RelayConnection(
            $"{(role == RelayRole.Client ? "c" : "a")}-{Guid.NewGuid():N}",
            role,
            role == RelayRole.Client ? (clientId.Length is > 0 and <= MaxClientIdLength ? clientId : null) : null,
            services.GetRequiredService<RelayConnectionHub>().HubId,
            HubTakesBatches: true);
        return RunSocketAsync(context, connection, user, RequestCredential.Token(context.Request)!);
    }

    private static async Task RunSocketAsync(HttpContext context, RelayConnection connection, CurrentUser user, string token)
    {
        var userId = user.Id!;
        var services = context.RequestServices;
        var hub = services.GetRequiredService<RelayConnectionHub>();
        var counters = services.GetRequiredService<ConnectionCounters>();
        var clock = services.GetRequiredService<TimeProvider>();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("OrbitGrains.Relay");
        var relay = services.GetRequiredService<IGrainFactory>().GetGrain<IUserRelayGrain>(userId);

        using var webSocket = await context.WebSockets.AcceptWebSocketAsync();
        var socket = new RelaySocket(webSocket, connection, userId, services.GetRequiredService<RelayOptions>(), clock, logger);
        using var counted = counters.Track(connection.Role == RelayRole.Client ? ConnectionKind.Client : ConnectionKind.Anchor);
        // The hub also tells its sockets to go (1001) when the node stops.
        hub.Add(socket);
        using var tracked = await services.GetRequiredService<AccountSockets>().TrackAsync(userId, new RelayAccountSocket(socket, user.FamilyId));
        try
        {
            socket.Enqueue(new JsonObject
            {
                ["type"] = "orbit.hello",
                ["role"] = connection.Role == RelayRole.Client ? "client" : "anchor",
                ["ts"] = clock.GetUtcNow().ToString("O"),
            }.ToJsonString());
            await relay.Connect(connection, hub.Reference);
            socket.Registered = true;
            // Logout, disable or reuse close the socket 4401, whichever of the account's notice and this check comes first.
            using var watch = SignInWatch.Start(context, user, token, services.GetRequiredService<RelayOptions>().Revalidate,
                () => socket.Close((System.Net.WebSockets.WebSocketCloseStatus)RelayCloseCodes.Unauthorised, "Session ended"), logger);
            // Frames read while the relay handles earlier ones go to it together, in order (InboundBatches).
            var inbound = new InboundBatches(frames => ForwardAsync(relay, socket, frames, logger), socket.Fail);
            await socket.RunAsync(inbound.Accept, context.RequestAborted);
            await inbound.FlushAsync();
            if (socket.EndedByProtocolError)
            {
                await LingeringUpgrade.DrainAsync(context);
            }
        }
        finally
        {
            hub.Remove(socket);
            try
            {
                await relay.Disconnect(connection.ConnectionId);
            }
            catch (Exception ex)
            {
                LogDisconnectFailed(logger, ex, connection.ConnectionId);
            }
        }
    }

    private static async Task ForwardAsync(IUserRelayGrain relay, RelaySocket socket, string[] frames, ILogger logger)
    {
        try
        {
            if (!await (frames.Length == 1 ? relay.Receive(socket.Connection.ConnectionId, frames[0]) : relay.ReceiveMany(socket.Connection.ConnectionId, frames)))
            {
                socket.Close((System.Net.WebSockets.WebSocketCloseStatus)RelayCloseCodes.ServiceRestart, RelayCloseCodes.ServiceRestartReason);
            }
        }
        catch (Exception ex) when (ex is TimeoutException or OrleansException)
        {
            // The person's relay could not take the frame: its silo is lost or unreachable. Until the cluster declares
            // that silo dead every further frame would fail the same way, silently; closing now (1012, as after a relay
            // restart) tells the peer at once, and it reconnects, announces itself again and knows its last frames may
            // not have arrived. The chaos test (ChaosTests) measured seconds of silently dropped frames before.
            LogForwardFailed(logger, ex, socket.Connection.ConnectionId);
            socket.Close((System.Net.WebSockets.WebSocketCloseStatus)RelayCloseCodes.ServiceRestart, RelayCloseCodes.ServiceRestartReason);
        }
    }

    private static Task PlainAsync(HttpContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(text);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Relay frame from {ConnectionId} was not delivered to its routing grain; the socket is closed 1012 to reconnect")]
    private static partial void LogForwardFailed(ILogger logger, Exception exception, string connectionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Relay disconnect of {ConnectionId} was not recorded")]
    private static partial void LogDisconnectFailed(ILogger logger, Exception exception, string connectionId);
}
