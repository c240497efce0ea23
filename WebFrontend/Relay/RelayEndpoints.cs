using System.Text.Json.Nodes;
using OrbitGrains.Relay;
using OrbitGrains.WebFrontend.Health;

namespace OrbitGrains.WebFrontend.Relay;

/// <summary>`/ws/client` and `/ws/anchor`: the Orbit protocol's sockets, plus their plain-HTTP preflight.</summary>
public static partial class RelayEndpoints
{
    private const int MaxClientIdLength = 200;

    public static IEndpointRouteBuilder MapRelay(this IEndpointRouteBuilder app)
    {
        var relay = app.MapGroup("").WithTags("Relay");
        relay.MapGet("/ws/client", (HttpContext context, string? token, string? clientId) => HandleAsync(context, RelayRole.Client))
            .WithSummary("Web client socket (?token=<web JWT>&clientId=<tab id>); without Upgrade: 426 for a valid token, 401 otherwise");
        relay.MapGet("/ws/anchor", (HttpContext context, string? token) => HandleAsync(context, RelayRole.Anchor))
            .WithSummary("Anchor socket (?token=<anchor access token>); without Upgrade: 426 for a valid token, 401 otherwise");
        return app;
    }

    private static async Task HandleAsync(HttpContext context, RelayRole role)
    {
        var services = context.RequestServices;
        var authenticator = services.GetRequiredService<IRelayAuthenticator>();
        var token = context.Request.Query["token"].ToString().Trim();
        var userId = token.Length is 0 or > 8192 ? null : role == RelayRole.Client
            ? await authenticator.AuthenticateClientAsync(token, context.RequestAborted)
            : await authenticator.AuthenticateAnchorAsync(token, context.RequestAborted);

        if (userId is null)
        {
            await PlainAsync(context, StatusCodes.Status401Unauthorized, "Unauthorised");
            return;
        }

        if (!context.WebSockets.IsWebSocketRequest)
        {
            // The Anchor preflights with a plain GET and exits on anything but 426 or 401.
            await PlainAsync(context, StatusCodes.Status426UpgradeRequired, "Upgrade required");
            return;
        }

        var clientId = context.Request.Query["clientId"].ToString().Trim();
        var connection = new RelayConnection(
            $"{(role == RelayRole.Client ? "c" : "a")}-{Guid.NewGuid():N}",
            role,
            role == RelayRole.Client ? (clientId.Length is > 0 and <= MaxClientIdLength ? clientId : null) : null,
            services.GetRequiredService<RelayConnectionHub>().HubId);
        await RunSocketAsync(context, connection, userId, token);
    }

    private static async Task RunSocketAsync(HttpContext context, RelayConnection connection, string userId, string token)
    {
        var services = context.RequestServices;
        var hub = services.GetRequiredService<RelayConnectionHub>();
        var counters = services.GetRequiredService<ConnectionCounters>();
        var clock = services.GetRequiredService<TimeProvider>();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("OrbitGrains.Relay");
        var relay = services.GetRequiredService<IGrainFactory>().GetGrain<IUserRelayGrain>(userId);

        using var webSocket = await context.WebSockets.AcceptWebSocketAsync();
        var socket = new RelaySocket(webSocket, connection, userId, services.GetRequiredService<RelayOptions>(), clock, logger);
        using var counted = counters.Track(connection.Role == RelayRole.Client ? ConnectionKind.Client : ConnectionKind.Anchor);
        // Kestrel waits for open requests on shutdown: tell peers to go (1001) so they reconnect to another node.
        using var stopping = services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(
            () => socket.Close(System.Net.WebSockets.WebSocketCloseStatus.EndpointUnavailable, "Server shutting down"));
        hub.Add(socket);
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
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
            var watch = WatchTokenAsync(socket, token, services, stop.Token);
            await socket.RunAsync(frame => ForwardAsync(relay, socket, frame, logger), context.RequestAborted);
            await stop.CancelAsync();
            await watch;
            if (socket.EndedByProtocolError)
            {
                await Sockets.LingeringUpgrade.DrainAsync(context);
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

    /// <summary>The token was checked at the handshake; checking it again now and then ends sockets of ended sessions.</summary>
    private static async Task WatchTokenAsync(RelaySocket socket, string token, IServiceProvider services, CancellationToken cancellationToken)
    {
        var options = services.GetRequiredService<RelayOptions>();
        var authenticator = services.GetRequiredService<IRelayAuthenticator>();
        using var timer = new PeriodicTimer(options.Revalidate, services.GetRequiredService<TimeProvider>());
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                string? user;
                try
                {
                    user = socket.Connection.Role == RelayRole.Client
                        ? await authenticator.AuthenticateClientAsync(token, cancellationToken)
                        : await authenticator.AuthenticateAnchorAsync(token, cancellationToken);
                }
                catch (Exception ex) when (ex is TimeoutException or OrleansException)
                {
                    // The account grains could not answer this time: a socket is not closed on a doubt.
                    continue;
                }

                if (user != socket.UserId)
                {
                    socket.Close((System.Net.WebSockets.WebSocketCloseStatus)RelayCloseCodes.Unauthorised, "Session ended");
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task ForwardAsync(IUserRelayGrain relay, RelaySocket socket, string frame, ILogger logger)
    {
        try
        {
            if (!await relay.Receive(socket.Connection.ConnectionId, frame))
            {
                socket.Close((System.Net.WebSockets.WebSocketCloseStatus)RelayCloseCodes.ServiceRestart, RelayCloseCodes.ServiceRestartReason);
            }
        }
        catch (Exception ex) when (ex is TimeoutException or OrleansException)
        {
            // One lost frame is the peer's to retry (JSON-RPC requests time out client-side); the socket stays up.
            LogForwardFailed(logger, ex, socket.Connection.ConnectionId);
        }
    }

    private static Task PlainAsync(HttpContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(text);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Relay frame from {ConnectionId} was not delivered to its routing grain")]
    private static partial void LogForwardFailed(ILogger logger, Exception exception, string connectionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Relay disconnect of {ConnectionId} was not recorded")]
    private static partial void LogDisconnectFailed(ILogger logger, Exception exception, string connectionId);
}
