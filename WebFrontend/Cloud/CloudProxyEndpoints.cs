using System.Net.WebSockets;
using Microsoft.AspNetCore.Authentication;
using OrbitGrains.Cloud;
using OrbitGrains.Shared;
using OrbitGrains.WebFrontend.Hosting;
using OrbitGrains.WebFrontend.Hosting.Access;

namespace OrbitGrains.WebFrontend.Cloud;

/// <summary>
/// The instance proxies (spec: cloud.md, Instance WebSocket proxies): the browser's only door to an instance's VNC
/// server and agent gateway. The socket is accepted first and refused with a close code, as the original did: 1008
/// for a missing or invalid token (read by the access layer from `?token=`), an unknown user, a bad or foreign
/// instance id or an instance not running; 1011 when the instance cannot be reached.
/// </summary>
public static class CloudProxyEndpoints
{
    public const string VncSubprotocol = "binary";

    public static void Map(IEndpointRouteBuilder app)
    {
        // Anonymous at the routing layer only: the access layer authenticates inside, so a refusal is a close code.
        var proxies = app.MapGroup("/api/instances").WithTags("Cloud").AllowAnonymous();
        proxies.MapGet("/{id}/vnc", VncAsync).WithSummary("WebSocket (subprotocol binary): RFB to the instance's VNC server, both ways").ExcludeFromDescription();
        proxies.MapGet("/{id}/cloudbot", CloudbotAsync).WithSummary("WebSocket: the instance's agent gateway, text both ways").ExcludeFromDescription();
    }

    private static async Task VncAsync(string id, HttpContext http, IGrainFactory grains, CloudProxyOptions options, ILoggerFactory logs)
    {
        var subprotocol = http.WebSockets.WebSocketRequestedProtocols.Contains(VncSubprotocol) ? VncSubprotocol : null;
        if (await OpenAsync(http, id, grains, subprotocol) is not { } opened)
        {
            return;
        }

        await using var session = opened;
        await new VncRelay(session.Socket, options, logs.CreateLogger<VncRelay>()).RunAsync(session.Target, http.RequestAborted);
    }

    private static async Task CloudbotAsync(string id, HttpContext http, IGrainFactory grains, CloudProxyOptions options, TimeProvider clock, ILoggerFactory logs)
    {
        if (await OpenAsync(http, id, grains, null) is not { } opened)
        {
            return;
        }

        await using var session = opened;
        await new CloudbotRelay(session.Socket, options, clock, logs.CreateLogger<CloudbotRelay>()).RunAsync(session.Target, http.RequestAborted);
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

        var instance = grains.GetGrain<IInstanceGrain>(id);
        await instance.ProxyConnections(+1);
        return new ProxySession(socket, target, instance);
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

    /// <summary>An accepted, authorised proxy socket; disposing it tells the instance the connection closed.</summary>
    private sealed record ProxySession(WebSocket Socket, ProxyTarget Target, IInstanceGrain Instance) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            Socket.Dispose();
            await Instance.ProxyConnections(-1);
        }
    }
}

/// <summary>Limits of the instance proxies.</summary>
/// <param name="BufferBytes">Each direction of the VNC relay reads into one buffer of this size and writes it before reading more.</param>
/// <param name="ConnectTimeout">How long the proxy waits for the instance's VNC server or gateway.</param>
/// <param name="PingInterval">The cloudbot proxy's ping to the browser (spec: every 5 s).</param>
/// <param name="MaxGatewayFrameBytes">Largest text message relayed either way by the cloudbot proxy.</param>
/// <param name="MaxBrowserQueueBytes">Bytes queued for a slow browser before the cloudbot proxy cuts it off.</param>
public sealed record CloudProxyOptions(
    int BufferBytes, TimeSpan ConnectTimeout, TimeSpan PingInterval, int MaxGatewayFrameBytes, long MaxBrowserQueueBytes)
{
    public static CloudProxyOptions Default { get; } = new(64 * 1024, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5), 1024 * 1024, 4 * 1024 * 1024);
}
