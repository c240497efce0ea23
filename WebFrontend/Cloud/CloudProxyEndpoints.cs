using System.Net.WebSockets;
using Microsoft.AspNetCore.Authentication;
using OrbitGrains.Cloud;
using OrbitGrains.Shared;
using OrbitGrains.WebFrontend.Health;
using OrbitGrains.WebFrontend.Hosting;
using OrbitGrains.WebFrontend.Hosting.Access;

namespace OrbitGrains.WebFrontend.Cloud;

/// <summary>
/// The instance proxies (spec: cloud.md, Instance WebSocket proxies): the browser's only door to an instance's VNC
/// server and agent gateway. The socket is accepted first and refused with a close code, as the original did: 1008
/// for a missing or invalid token (read by the access layer from `?token=`), an unknown user, a bad or foreign
/// instance id or an instance not running; 1011 when the instance cannot be reached (or its grain, or the account's,
/// does not answer while the proxy opens; the person's place is given back); 1001 when the front end stops
/// (Kestrel waits for open requests on shutdown, so the browser is told to go and reconnects to another node); 1008
/// with a reason when the caller's access ends while the proxy is open (the account disabled or signed out everywhere,
/// the sign-in logged out; <see cref="ProxyEnding"/>) and, at the next heartbeat (CLOUD_PROXY_HEARTBEAT_SEC), when the
/// instance left running (stopped or deleted since it opened); 1013 when the person already holds MAX_OPEN_STREAMS_PER_USER
/// proxies and event streams open on this front end (<see cref="AccessLeases"/>).
/// </summary>
public static class CloudProxyEndpoints
{
    public const string VncSubprotocol = "binary";

    /// <summary>1013 Try Again Later (IANA WebSocket close code registry): the person holds the most proxies and streams allowed.</summary>
    public const WebSocketCloseStatus TryAgainLater = (WebSocketCloseStatus)1013;

    /// <summary>The 1011 close reason when the account or instance grains did not answer while the proxy opened.</summary>
    public const string Unavailable = "Instance unavailable";

    public static void Map(IEndpointRouteBuilder app)
    {
        // Anonymous at the routing layer only: the access layer authenticates inside, so a refusal is a close code.
        var proxies = app.MapGroup("/api/instances").WithTags("Cloud").AllowAnonymous();
        proxies.MapGet("/{id}/vnc", VncAsync).WithSummary("WebSocket (subprotocol binary): RFB to the instance's VNC server, both ways").ExcludeFromDescription();
        proxies.MapGet("/{id}/cloudbot", CloudbotAsync).WithSummary("WebSocket: the instance's agent gateway, text both ways").ExcludeFromDescription();
    }

    private static async Task VncAsync(string id, HttpContext http, IGrainFactory grains, CloudProxyOptions options, IHostApplicationLifetime lifetime, ILoggerFactory logs)
    {
        var subprotocol = http.WebSockets.WebSocketRequestedProtocols.Contains(VncSubprotocol) ? VncSubprotocol : null;
        if (await OpenAsync(http, id, grains, subprotocol) is not { } opened)
        {
            return;
        }

        await using var session = opened;
        using var counted = http.RequestServices.GetRequiredService<ConnectionCounters>().Track(ConnectionKind.VncProxy);
        await new VncRelay(session.Socket, options, logs.CreateLogger<VncRelay>()).RunAsync(session.Target, session.Ending(lifetime), http.RequestAborted);
    }

    private static async Task CloudbotAsync(
        string id, HttpContext http, IGrainFactory grains, CloudProxyOptions options, TimeProvider clock, IHostApplicationLifetime lifetime, ILoggerFactory logs)
    {
        if (await OpenAsync(http, id, grains, null) is not { } opened)
        {
            return;
        }

        await using var session = opened;
        using var counted = http.RequestServices.GetRequiredService<ConnectionCounters>().Track(ConnectionKind.GatewayProxy);
        await new CloudbotRelay(session.Socket, options, clock, logs.CreateLogger<CloudbotRelay>()).RunAsync(session.Target, session.Ending(lifetime), http.RequestAborted);
    }

    /// <summary>Accepts the socket, then authenticates and finds the target; null (the socket closed 1008) when refused.</summary>
    private static async Task<ProxySession?> OpenAsync(HttpContext http, string id, IGrainFactory grains, string? subprotocol)
    {
        if (!http.WebSockets.IsWebSocketRequest)
        {
            await DetailErrors.Error(StatusCodes.Status400BadRequest, "A WebSocket upgrade is required.").ExecuteAsync(http);
            return null;
        }

        var socket = await http.WebSockets.AcceptWebSocketAsync(subprotocol);
        var authenticated = await http.AuthenticateAsync(OrbitAuthSchemes.Default);
        var user = authenticated.Succeeded ? CurrentUser.From(authenticated.Principal!) : null;
        string? refusal = null;
        ProxyTarget? target = null;
        if (user is not { IsPerson: true })
        {
            refusal = authenticated.None ? "Missing token" : "Invalid or expired token";
        }
        else if (http.RequestServices.GetService<ProviderKeyCipher>() is null)
        {
            refusal = "Cloud is unavailable";
        }
        else if (!IssuedIds.IsCanonical(id))
        {
            refusal = CloudEndpoints.InvalidId;
        }
        else
        {
            var outcome = await grains.GetGrain<IInstanceGrain>(id).Target(user.Id!);
            target = outcome.Target;
            refusal = outcome.Refusal switch
            {
                ProxyRefusal.NotFound => CloudEndpoints.NotFoundMessage,
                ProxyRefusal.NotReady => "Instance not ready",
                _ => null,
            };
        }

        if (refusal is not null || target is null)
        {
            await CloseAsync(socket, WebSocketCloseStatus.PolicyViolation, refusal ?? "Instance not ready");
            socket.Dispose();
            return null;
        }

        // Watched from here on: a disable, sign-out or logout of this sign-in closes the proxy 1008 (ProxyEnding).
        var instance = grains.GetGrain<IInstanceGrain>(id);
        AccessLease? access = null;
        try
        {
            access = await http.RequestServices.GetRequiredService<AccessLeases>().StartAsync(http, user!);
            if (access is null)
            {
                await CloseAsync(socket, TryAgainLater, AccessLeases.TooMany);
                socket.Dispose();
                return null;
            }

            await instance.ProxyConnections(+1);
        }
        catch (Exception ex) when (ex is TimeoutException or OrleansException)
        {
            // The lease gives the person's place back; the browser is told, as for an instance it cannot reach.
            access?.Dispose();
            await CloseAsync(socket, WebSocketCloseStatus.InternalServerError, Unavailable);
            socket.Dispose();
            return null;
        }

        var cloud = http.RequestServices.GetRequiredService<CloudOptions>();
        return new ProxySession(socket, target, instance, access, cloud.ProxyHeartbeat, http.RequestServices.GetRequiredService<TimeProvider>());
    }

    /// <summary>Closes with a code and waits (briefly) for the peer's close, so the code reaches it.</summary>
    public static async Task CloseAsync(WebSocket socket, WebSocketCloseStatus status, string reason)
    {
        if (socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
        {
            return;
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await socket.CloseAsync(status, reason, timeout.Token);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // The peer is gone or silent; the connection ends either way.
        }
    }

    /// <summary>
    /// An accepted, authorised proxy socket. While open it beats to its instance (idle auto-stop counts it, and the
    /// calls keep the grain active); disposing it tells the instance the connection closed.
    /// </summary>
    private sealed class ProxySession : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly CancellationTokenSource _instanceGone = new();
        private readonly Task _beats;

        public ProxySession(WebSocket socket, ProxyTarget target, IInstanceGrain instance, AccessLease access, TimeSpan heartbeat, TimeProvider clock)
        {
            Socket = socket;
            Target = target;
            Instance = instance;
            Access = access;
            _beats = BeatAsync(heartbeat, clock);
        }

        public WebSocket Socket { get; }
        public ProxyTarget Target { get; }
        public IInstanceGrain Instance { get; }
        public AccessLease Access { get; }

        /// <summary>What ends this proxy from outside: the node stopping or the caller's access ending.</summary>
        public ProxyEnding Ending(IHostApplicationLifetime lifetime) => new(lifetime.ApplicationStopping, Access, _instanceGone.Token);

        public async ValueTask DisposeAsync()
        {
            _stop.Cancel();
            await _beats;
            _stop.Dispose();
            _instanceGone.Dispose();
            Access.Dispose();
            Socket.Dispose();
            await Instance.ProxyConnections(-1);
        }

        private async Task BeatAsync(TimeSpan heartbeat, TimeProvider clock)
        {
            using var timer = new PeriodicTimer(heartbeat, clock);
            try
            {
                while (await timer.WaitForNextTickAsync(_stop.Token))
                {
                    try
                    {
                        if (!await Instance.ProxyAlive())
                        {
                            // Stopped or deleted since the proxy opened: the desktop is no longer the user's to reach.
                            await _instanceGone.CancelAsync();
                            return;
                        }
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        // The grain is moving (a silo was lost): the next beat finds it again; the relay is unaffected.
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // The connection closed.
            }
        }
    }
}

/// <summary>Limits of the instance proxies.</summary>
/// <param name="BufferBytes">
/// The most each of the two buffers of the VNC relay's server-to-browser direction grows to, so also its largest frame.
/// 512 KiB: RFB framebuffer updates are bulk data, and every frame costs the proxy and the browser a fixed amount on
/// top of its bytes.
/// </param>
/// <param name="InitialBufferBytes">Where those two buffers start (an idle desktop's updates are small).</param>
/// <param name="UpstreamBufferBytes">The VNC relay's one browser-to-server buffer (RFB client messages are small).</param>
/// <param name="ConnectTimeout">How long the proxy waits for the instance's VNC server or gateway.</param>
/// <param name="PingInterval">The cloudbot proxy's ping to the browser (spec: every 5 s).</param>
/// <param name="MaxGatewayFrameBytes">Largest text message relayed either way by the cloudbot proxy.</param>
/// <param name="MaxBrowserQueueBytes">Bytes queued for a slow browser before the cloudbot proxy cuts it off.</param>
public sealed record CloudProxyOptions(
    int BufferBytes, int InitialBufferBytes, int UpstreamBufferBytes, TimeSpan ConnectTimeout, TimeSpan PingInterval,
    int MaxGatewayFrameBytes, long MaxBrowserQueueBytes)
{
    public static CloudProxyOptions Default { get; } =
        new(512 * 1024, 16 * 1024, 16 * 1024, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5), 1024 * 1024, 4 * 1024 * 1024);
}
