// The VNC proxy against Debian's websockify, side by side: the same WebSocket client and the same TCP sink/source
// (this process, on --sink-port) behind each. Bulk: the source sends --mb MiB, the client times them (MB/s), after an
// untimed --warmup-mb (default 50) through the same proxy; --rounds (default 3) measurements of each, alternating
// which goes first, and their medians. Latency:
// 1 KiB messages at --rate per second for --seconds, echoed by the sink; the round trip through each proxy minus the
// round trip of a direct TCP connection is the latency the proxy adds (p50, p99). With --bare, bench/BareVncProxy (raw
// sockets, the fewest copies) is measured beside them: how far a proxy can go on this machine at all.
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;

var options = args.Select((a, i) => (a, i)).Where(p => p.a.StartsWith("--")).ToDictionary(p => p.a[2..], p => args[p.i + 1]);
var sinkPort = int.Parse(options["sink-port"]);
var megabytes = int.Parse(options.GetValueOrDefault("mb", "200"));
var rate = int.Parse(options.GetValueOrDefault("rate", "1000"));
var seconds = int.Parse(options.GetValueOrDefault("seconds", "10"));
// Untimed first: the product's JIT compiles the relay's hot path (websockify, interpreted, has nothing to warm).
var warmupMegabytes = int.Parse(options.GetValueOrDefault("warmup-mb", "50"));
var rounds = int.Parse(options.GetValueOrDefault("rounds", "3"));
var targets = new List<(string Name, Uri Url)> { ("orbitgrains", new Uri(options["proxy"])) };
if (options.TryGetValue("websockify", out var websockify))
{
    targets.Add(("websockify", new Uri(websockify)));
}

if (options.TryGetValue("bare", out var bare))
{
    targets.Add(("bare", new Uri(bare)));
}

var listener = new TcpListener(IPAddress.Loopback, sinkPort);
listener.Start();
_ = Task.Run(async () =>
{
    while (true)
    {
        var client = await listener.AcceptTcpClientAsync();
        _ = Task.Run(() => ServeAsync(client));
    }
});

var direct = await LatencyAsync(null, sinkPort, rate, seconds);
Console.WriteLine($"direct tcp   rtt p50 {direct.P50:F3} ms  p99 {direct.P99:F3} ms");
foreach (var (_, url) in targets)
{
    if (warmupMegabytes > 0)
    {
        await BulkAsync(url, warmupMegabytes);
        await LatencyAsync(url, sinkPort, rate, 1);
    }
}

// Rounds alternate which proxy goes first, so a drift of the machine over the run (or the other proxy's leftovers in
// the kernel's buffers) falls on both; the medians over rounds are the figures.
var bulk = targets.ToDictionary(t => t.Name, _ => new List<double>());
var added99 = targets.ToDictionary(t => t.Name, _ => new List<double>());
for (var round = 1; round <= rounds; round++)
{
    foreach (var (name, url) in round % 2 == 1 ? targets : Enumerable.Reverse(targets))
    {
        var mbps = await BulkAsync(url, megabytes);
        var latency = await LatencyAsync(url, sinkPort, rate, seconds);
        bulk[name].Add(mbps);
        added99[name].Add(latency.P99 - direct.P99);
        Console.WriteLine($"round {round} {name,-12} bulk {mbps:F1} MB/s  rtt p50 {latency.P50:F3} ms  p99 {latency.P99:F3} ms  added p50 {latency.P50 - direct.P50:F3} ms  added p99 {latency.P99 - direct.P99:F3} ms");
    }
}

foreach (var (name, _) in targets)
{
    Console.WriteLine($"median {name,-12} bulk {Median(bulk[name]):F1} MB/s  added p99 {Median(added99[name]):F3} ms");
}

if (bulk.ContainsKey("websockify"))
{
    Console.WriteLine($"bulk ratio orbitgrains / websockify: {Median(bulk["orbitgrains"]) / Median(bulk["websockify"]):F2}x (target >= 1.5x)");
}

if (bulk.ContainsKey("bare"))
{
    foreach (var name in bulk.Keys.Where(n => n != "bare"))
    {
        Console.WriteLine($"bulk ratio {name} / bare proxy: {Median(bulk[name]) / Median(bulk["bare"]):F2}x");
    }
}

return 0;

static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

static async Task ServeAsync(TcpClient client)
{
    using var _ = client;
    client.NoDelay = true;
    var stream = client.GetStream();
    var mode = new byte[1];
    await stream.ReadExactlyAsync(mode);
    var buffer = new byte[64 * 1024];
    if (mode[0] == (byte)'B')
    {
        // 'B' and the byte count the client asked for (8 bytes, little-endian).
        var count = new byte[8];
        await stream.ReadExactlyAsync(count);
        Random.Shared.NextBytes(buffer);
        for (long sent = 0, total = BitConverter.ToInt64(count); sent < total; sent += buffer.Length)
        {
            await stream.WriteAsync(buffer);
        }

        // Wait for the client's goodbye so the last bytes are not lost to a reset.
        await stream.ReadAsync(mode);
        return;
    }

    int read;
    while ((read = await stream.ReadAsync(buffer)) > 0)
    {
        await stream.WriteAsync(buffer.AsMemory(0, read));
    }
}

static async Task<ClientWebSocket> ConnectAsync(Uri url)
{
    var socket = new ClientWebSocket();
    socket.Options.AddSubProtocol("binary");
    await socket.ConnectAsync(url, CancellationToken.None);
    return socket;
}

static async Task<double> BulkAsync(Uri url, int megabytes)
{
    using var socket = await ConnectAsync(url);
    var total = megabytes * 1024L * 1024;
    var buffer = new byte[256 * 1024];
    var clock = Stopwatch.StartNew();
    byte[] request = [(byte)'B', .. BitConverter.GetBytes(total)];
    await socket.SendAsync(request, WebSocketMessageType.Binary, true, CancellationToken.None);
    long received = 0;
    while (received < total)
    {
        var result = await socket.ReceiveAsync(buffer, CancellationToken.None);
        if (result.MessageType == WebSocketMessageType.Close)
        {
            throw new InvalidOperationException($"{url.Host}:{url.Port} closed after {received} bytes");
        }

        received += result.Count;
    }

    var elapsed = clock.Elapsed.TotalSeconds;
    await socket.SendAsync("x"u8.ToArray(), WebSocketMessageType.Binary, true, CancellationToken.None);
    return total / 1024.0 / 1024.0 / elapsed;
}

/// <summary>Round trips of 1 KiB at a fixed rate: through a WebSocket proxy, or (url null) over TCP directly.</summary>
static async Task<(double P50, double P99)> LatencyAsync(Uri? url, int sinkPort, int rate, int seconds)
{
    Func<byte[], Task> send;
    Func<byte[], Task> receiveExactly;
    IDisposable connection;
    if (url is null)
    {
        var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(IPAddress.Loopback, sinkPort);
        var stream = tcp.GetStream();
        await stream.WriteAsync("E"u8.ToArray());
        send = bytes => stream.WriteAsync(bytes).AsTask();
        receiveExactly = bytes => stream.ReadExactlyAsync(bytes).AsTask();
        connection = tcp;
    }
    else
    {
        var socket = await ConnectAsync(url);
        await socket.SendAsync("E"u8.ToArray(), WebSocketMessageType.Binary, true, CancellationToken.None);
        send = bytes => socket.SendAsync(bytes, WebSocketMessageType.Binary, true, CancellationToken.None);
        receiveExactly = async bytes =>
        {
            for (var got = 0; got < bytes.Length;)
            {
                got += (await socket.ReceiveAsync(bytes.AsMemory(got), CancellationToken.None)).Count;
            }
        };
        connection = socket;
    }

    using var _ = connection;
    var message = new byte[1024];
    var echo = new byte[1024];
    var samples = new List<double>(rate * seconds);
    var interval = TimeSpan.FromSeconds(1.0 / rate);
    var clock = Stopwatch.StartNew();
    for (var n = 0; n < rate * seconds; n++)
    {
        // Paced: message n leaves at n / rate seconds (or at once, when the previous round trip ran late).
        var due = interval * n;
        while (clock.Elapsed < due)
        {
            if (due - clock.Elapsed > TimeSpan.FromMilliseconds(2))
            {
                await Task.Delay(1);
            }
        }

        var started = clock.Elapsed;
        await send(message);
        await receiveExactly(echo);
        samples.Add((clock.Elapsed - started).TotalMilliseconds);
    }

    samples.Sort();
    return (samples[samples.Count / 2], samples[(int)(samples.Count * 0.99)]);
}
