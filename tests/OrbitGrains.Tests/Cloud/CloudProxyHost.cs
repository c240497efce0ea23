using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OrbitGrains.Tests.Cloud;

/// <summary>
/// A LOCAL_DEV_MODE front end whose simulated instances reach a real VNC server (Debian's tigervnc `Xvnc`, started
/// here on a free display and port) and an in-test agent gateway.
/// </summary>
public sealed class CloudProxyHost : IAsyncLifetime
{
    private readonly TempDirectory _data = new("orbit-cloud-proxy");
    private XvncServer? _xvnc;

    public RunningHost Host { get; private set; } = null!;
    public CloudApi Api { get; private set; } = null!;
    public int VncPort => _xvnc?.Port ?? 0;
    public TestGateway Gateway { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _xvnc = await XvncServer.StartAsync();
        Gateway = await TestGateway.StartAsync();
        var configuration = CloudHost.Configuration(_data.Path, $"cloud-proxy-{Guid.NewGuid():N}", null);
        configuration["LOCAL_DEV_MODE"] = "true";
        configuration["LOCAL_VNC_ADDRESS"] = _xvnc.Address;
        configuration["LOCAL_GATEWAY_URL"] = Gateway.Url;
        // An open proxy learns at its heartbeat that its instance stopped: every second here, so tests see it soon.
        configuration["CLOUD_PROXY_HEARTBEAT_SEC"] = "1";
        Host = await RunningHost.StartFrontEndAsync(configuration);
        Api = new CloudApi(Host.Http);
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await Gateway.DisposeAsync();
        if (_xvnc is not null)
        {
            await _xvnc.DisposeAsync();
        }

        _data.Dispose();
    }
}

/// <summary>
/// An agent gateway for the cloudbot proxy: on connect it sends tick, health and presence events (to be dropped) and
/// a hello event; it answers each text message with "echo:" and it; "close-upstream" makes it close.
/// </summary>
public sealed class TestGateway : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestGateway(WebApplication app) => _app = app;

    public string Url { get; private set; } = "";
    public System.Collections.Concurrent.ConcurrentQueue<string> Received { get; } = new();
    public System.Collections.Concurrent.ConcurrentQueue<string> Authorizations { get; } = new();

    public static async Task<TestGateway> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var gateway = new TestGateway(app);
        app.UseWebSockets();
        app.Map("/", gateway.HandleAsync);
        await app.StartAsync();
        gateway.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().Replace("http://", "ws://") + "/";
        return gateway;
    }

    private async Task HandleAsync(HttpContext context)
    {
        Authorizations.Enqueue(context.Request.Headers.Authorization.ToString());
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        foreach (var frame in new[]
        {
            """{"type":"event","event":"tick","payload":{}}""",
            """{"type":"event","event":"health","payload":{"ok":true}}""",
            """{"type":"event","event":"presence","payload":{}}""",
            """{"type":"event","event":"hello","payload":{"n":1}}""",
        })
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes(frame), WebSocketMessageType.Text, true, context.RequestAborted);
        }

        var buffer = new byte[64 * 1024];
        while (socket.State == WebSocketState.Open)
        {
            var result = await socket.ReceiveAsync(buffer, context.RequestAborted);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
                return;
            }

            var text = Encoding.UTF8.GetString(buffer, 0, result.Count);
            Received.Enqueue(text);
            if (text == "close-upstream")
            {
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "going", CancellationToken.None);
                return;
            }

            await socket.SendAsync(Encoding.UTF8.GetBytes("echo:" + text), WebSocketMessageType.Text, true, context.RequestAborted);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
