using System.Diagnostics;
using System.Net.Sockets;
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
    private Process? _xvnc;
    private int _display;

    public RunningHost Host { get; private set; } = null!;
    public CloudApi Api { get; private set; } = null!;
    public int VncPort { get; private set; }
    public TestGateway Gateway { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        (_xvnc, VncPort, _display) = await StartXvncAsync();
        Gateway = await TestGateway.StartAsync();
        var configuration = CloudHost.Configuration(_data.Path, $"cloud-proxy-{Guid.NewGuid():N}", null);
        configuration["LOCAL_DEV_MODE"] = "true";
        configuration["LOCAL_VNC_ADDRESS"] = $"127.0.0.1:{VncPort}";
        configuration["LOCAL_GATEWAY_URL"] = Gateway.Url;
        Host = await RunningHost.StartFrontEndAsync(configuration);
        Api = new CloudApi(Host.Http);
    }

    /// <summary>Xvnc without authentication (the proxy is the door in these tests), on loopback only.</summary>
    private static async Task<(Process, int, int)> StartXvncAsync()
    {
        for (var attempt = 0; ; attempt++)
        {
            var port = FreePorts.Next();
            var display = Random.Shared.Next(200, 4000);
            var start = new ProcessStartInfo("Xvnc", $":{display} -rfbport {port} -SecurityTypes None -interface 127.0.0.1 -geometry 64x48 -depth 24 -nolisten tcp")
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            };
            var process = Process.Start(start)!;
            process.BeginErrorReadLine();
            process.BeginOutputReadLine();
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (!process.HasExited && DateTime.UtcNow < deadline)
            {
                try
                {
                    using var probe = new TcpClient();
                    await probe.ConnectAsync("127.0.0.1", port);
                    return (process, port, display);
                }
                catch (SocketException)
                {
                    await Task.Delay(100);
                }
            }

            Stop(process, display);
            if (attempt == 3)
            {
                throw new InvalidOperationException("Xvnc (Debian: tigervnc-standalone-server) did not start.");
            }
        }
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await Gateway.DisposeAsync();
        if (_xvnc is not null)
        {
            Stop(_xvnc, _display);
        }

        _data.Dispose();
    }

    private static void Stop(Process process, int display)
    {
        if (!process.HasExited)
        {
            process.Kill();
            process.WaitForExit(10_000);
        }

        process.Dispose();
        // Killed, it leaves its display's lock and socket behind.
        File.Delete($"/tmp/.X{display}-lock");
        File.Delete($"/tmp/.X11-unix/X{display}");
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
