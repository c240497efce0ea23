using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using OrbitGrains.Cloud;
using Orleans.Core.Internal;

namespace OrbitGrains.Tests.Cloud;

/// <summary>
/// A simulated instance whose VNC target is a TCP server of the test (each connection the proxy opens is handed to
/// the test), so the relay's bytes, framing and backpressure can be checked on volumes the real Xvnc never sends. Idle
/// auto-stop is on (1 minute, heartbeats every second) with a clock the tests move, and the instance grains' proxy calls
/// are counted as they complete.
/// </summary>
public sealed class VncSinkHost : IAsyncLifetime
{
    private readonly TempDirectory _data = new("orbit-cloud-vnc");
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Channel<TcpClient> _accepted = Channel.CreateUnbounded<TcpClient>();
    private readonly CancellationTokenSource _stop = new();

    public RunningHost Host { get; private set; } = null!;
    public CloudApi Api { get; private set; } = null!;
    public TestClock Clock { get; } = new();
    public ProxyCallCounter ProxyCalls { get; } = new();

    public async Task InitializeAsync()
    {
        _listener.Start();
        _ = AcceptAsync();
        var configuration = CloudHost.Configuration(_data.Path, $"cloud-vnc-{Guid.NewGuid():N}", null);
        configuration["LOCAL_DEV_MODE"] = "true";
        configuration["LOCAL_VNC_ADDRESS"] = $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";
        configuration["INSTANCE_IDLE_STOP_MIN"] = "1";
        configuration["CLOUD_PROXY_HEARTBEAT_SEC"] = "1";
        Host = await RunningHost.StartFrontEndAsync(configuration, configure: builder =>
        {
            builder.Services.AddSingleton<TimeProvider>(Clock);
            builder.Services.AddSingleton<IIncomingGrainCallFilter>(ProxyCalls);
        });
        Api = new CloudApi(Host.Http);
    }

    /// <summary>The server side of the next connection the proxy opens.</summary>
    public async Task<TcpClient> NextConnectionAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        return await _accepted.Reader.ReadAsync(timeout.Token);
    }

    /// <summary>A new owner's running instance, and a browser socket to its VNC proxy.</summary>
    public async Task<ClientWebSocket> ConnectAsync() => (await ConnectToInstanceAsync()).Socket;

    /// <summary>A new owner's running instance, and a browser socket to its VNC proxy, with the owner's token and the instance id.</summary>
    public async Task<(ClientWebSocket Socket, string User, string Id)> ConnectToInstanceAsync()
    {
        var user = await Api.SignUpAsync();
        var id = (string)(await Api.CreateAsync(user))["id"]!;
        await Eventually.TrueAsync(async () => await Api.StatusAsync(user, id) == "running", "the simulated instance runs", TimeSpan.FromSeconds(120));
        var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol("binary");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await socket.ConnectAsync(new Uri(new Uri(Host.BaseAddress.ToString().Replace("http", "ws")), $"/api/instances/{id}/vnc?token={user}"), timeout.Token);
        return (socket, user, id);
    }

    public async Task DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await Host.DisposeAsync();
        _data.Dispose();
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                client.NoDelay = true;
                await _accepted.Writer.WriteAsync(client);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The fixture is going away.
        }
    }
}

/// <summary>Completed proxy calls (opens and closes, heartbeats) per instance grain.</summary>
public sealed class ProxyCallCounter : IIncomingGrainCallFilter
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Id, string Method), int> _counts = new();

    public int Count(string instanceId, string method) => _counts.GetValueOrDefault((instanceId, method));

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        await context.Invoke();
        if (context.InterfaceMethod?.Name is nameof(IInstanceGrain.ProxyAlive) or nameof(IInstanceGrain.ProxyConnections))
        {
            _counts.AddOrUpdate((context.TargetId.Key.ToString()!, context.InterfaceMethod.Name), 1, (_, n) => n + 1);
        }
    }
}

public sealed class CloudVncRelayTests(VncSinkHost host) : IClassFixture<VncSinkHost>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Bulk_bytes_cross_the_VNC_proxy_intact_both_ways_at_once_in_bounded_binary_frames()
    {
        using var browser = await host.ConnectAsync();
        using var server = await host.NextConnectionAsync();
        var stream = server.GetStream();
        var down = Pattern(16 * 1024 * 1024 + 12345, seed: 1);
        var up = Pattern(4 * 1024 * 1024 + 777, seed: 2);
        using var timeout = new CancellationTokenSource(Patience);

        // Irregular write and frame sizes on both sides, all at the same time.
        var serverWrites = Task.Run(async () =>
        {
            var random = new Random(3);
            for (var sent = 0; sent < down.Length;)
            {
                var size = Math.Min(down.Length - sent, random.Next(1, 300_000));
                await stream.WriteAsync(down.AsMemory(sent, size), timeout.Token);
                sent += size;
            }
        });
        var serverReads = Task.Run(async () =>
        {
            var received = new byte[up.Length];
            await stream.ReadExactlyAsync(received, timeout.Token);
            return received;
        });
        var browserWrites = Task.Run(async () =>
        {
            var random = new Random(4);
            for (var sent = 0; sent < up.Length;)
            {
                var size = Math.Min(up.Length - sent, random.Next(1, 70_000));
                await browser.SendAsync(up.AsMemory(sent, size), WebSocketMessageType.Binary, true, timeout.Token);
                sent += size;
            }
        });

        var got = new byte[down.Length];
        var largestFrame = 0;
        for (var length = 0; length < got.Length;)
        {
            var frame = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                result = await browser.ReceiveAsync(got.AsMemory(length), timeout.Token);
                Assert.Equal(WebSocketMessageType.Binary, result.MessageType);
                length += result.Count;
                frame += result.Count;
            }
            while (!result.EndOfMessage);

            largestFrame = Math.Max(largestFrame, frame);
        }

        await Task.WhenAll(serverWrites, browserWrites);
        Assert.Equal(SHA256.HashData(down), SHA256.HashData(got));
        Assert.Equal(SHA256.HashData(up), SHA256.HashData(await serverReads));
        // Bounded by the relay's largest buffer, and grown past its first one by the bulk.
        Assert.InRange(largestFrame, 16 * 1024 + 1, 512 * 1024);
    }

    [Fact]
    public async Task A_browser_that_stops_reading_holds_the_VNC_server_back_instead_of_growing_the_proxy()
    {
        using var browser = await host.ConnectAsync();
        using var server = await host.NextConnectionAsync();
        var stream = server.GetStream();
        var chunk = Pattern(64 * 1024, seed: 5);
        long written = 0;
        var lastProgress = DateTimeOffset.UtcNow.UtcTicks;
        using var stopWriting = new CancellationTokenSource();

        // The server offers far more than any bounded path can hold; the browser reads nothing yet.
        var writer = Task.Run(async () =>
        {
            try
            {
                for (var i = 0; i < 4096 && !stopWriting.IsCancellationRequested; i++)
                {
                    await stream.WriteAsync(chunk, stopWriting.Token);
                    Interlocked.Add(ref written, chunk.Length);
                    Interlocked.Exchange(ref lastProgress, DateTimeOffset.UtcNow.UtcTicks);
                }
            }
            catch (OperationCanceledException)
            {
            }
        });

        // Blocked: a write has been waiting for seconds (TCP's window closed because the proxy stopped reading).
        await Eventually.TrueAsync(() => DateTimeOffset.UtcNow.UtcTicks - Interlocked.Read(ref lastProgress) > TimeSpan.FromSeconds(3).Ticks && Interlocked.Read(ref written) > 0,
            "the server's writes block", Patience);
        var held = Interlocked.Read(ref written);
        // Kernel socket buffers on both hops, Kestrel's output buffer and the relay's two frames: megabytes, not 256 MiB.
        Assert.True(held < 48L * 1024 * 1024, $"{held} bytes went in while the browser read nothing");

        // The browser reads again: the bytes held arrive intact, in order, and the server moves on.
        var buffer = new byte[256 * 1024];
        long read = 0;
        using var timeout = new CancellationTokenSource(Patience);
        while (read < held + chunk.Length)
        {
            var result = await browser.ReceiveAsync(buffer.AsMemory(), timeout.Token);
            Assert.Equal(WebSocketMessageType.Binary, result.MessageType);
            for (var i = 0; i < result.Count; i++)
            {
                Assert.Equal(chunk[(int)((read + i) % chunk.Length)], buffer[i]);
            }

            read += result.Count;
        }

        Assert.True(Interlocked.Read(ref written) > held, "the server was released once the browser read");
        stopWriting.Cancel();
        server.Close();
        await writer;
    }

    [Fact]
    public async Task Idle_stop_counts_a_proxy_that_stays_open_while_its_grain_moves_and_stops_the_instance_once_it_closed()
    {
        var (browser, user, id) = await host.ConnectToInstanceAsync();
        using var server = await host.NextConnectionAsync();
        var instance = host.Host.Grains.GetGrain<IInstanceGrain>(id);
        var reconciler = host.Host.Grains.GetGrain<ICloudReconcilerGrain>(ICloudReconcilerGrain.Key);

        // The grain goes away with the proxy open (as when its silo is lost: its count of open proxies is gone), and
        // more than the idle limit passes. The proxy's next heartbeat brings the grain back and counts it again.
        await instance.AsReference<IGrainManagementExtension>().DeactivateOnIdle();
        host.Clock.Advance(TimeSpan.FromMinutes(5));
        var beats = host.ProxyCalls.Count(id, nameof(IInstanceGrain.ProxyAlive));
        await Eventually.TrueAsync(() => host.ProxyCalls.Count(id, nameof(IInstanceGrain.ProxyAlive)) >= beats + 2, "the open proxy beats again", Patience);
        await reconciler.Run();
        Assert.Equal("running", await host.Api.StatusAsync(user, id));

        // Closed: nothing beats any more, and after the idle limit the reconciler stops the instance.
        var connections = host.ProxyCalls.Count(id, nameof(IInstanceGrain.ProxyConnections));
        await browser.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        browser.Dispose();
        await Eventually.TrueAsync(() => host.ProxyCalls.Count(id, nameof(IInstanceGrain.ProxyConnections)) > connections, "the proxy's close reaches the grain", Patience);
        host.Clock.Advance(TimeSpan.FromMinutes(2));
        await reconciler.Run();
        await Eventually.TrueAsync(async () => await host.Api.StatusAsync(user, id) == "stopped", "the idle instance stops", Patience);
    }

    private static byte[] Pattern(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
