using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OrbitGrains.Feeds;
using OrbitGrains.WebFrontend.Feeds;
using OrbitGrains.WebFrontend.Hosting;

// Per-user live feed fan-out: N connected users, each receiving M entries/s, through the product's feed inside its
// embedded host (started in this process): IUserFeedGrain -> one-way call to the front end's UserFeedHub observer ->
// the connection's channel. It ends at the frame a connection's SSE writer would send (the socket write is left out). Latency is from the publish call to the frame's arrival in the connection's channel (same process, one clock).
// Open loop: entries are published at the set rate whether or not earlier ones have arrived. Stops by itself.
var options = Options.Parse(args);
Console.WriteLine($"feed-fanout: users={options.Users} rate={options.Rate}/s per user ({options.Users * options.Rate}/s in all) " +
    $"seconds={options.Seconds}");
Console.WriteLine($"load average at start: {File.ReadAllText("/proc/loadavg").Trim()}");

var data = Directory.CreateTempSubdirectory("orbit-feed-fanout");
var serviceId = $"feed-fanout-{Guid.NewGuid():N}";
var configuration = new Dictionary<string, string?>
{
    ["urls"] = "http://127.0.0.1:0",
    ["DATA_DIR"] = data.FullName,
    ["ORLEANS_SILO_PORT"] = FreePort().ToString(CultureInfo.InvariantCulture),
    ["ORLEANS_GATEWAY_PORT"] = FreePort().ToString(CultureInfo.InvariantCulture),
    ["ORLEANS_SERVICE_ID"] = serviceId,
    ["ORLEANS_CLUSTER_ID"] = serviceId,
    ["Logging:LogLevel:Default"] = "Warning",
};
var app = await OrbitWebApp.CreateAsync(["--environment", "Production"], builder => builder.Configuration.AddInMemoryCollection(configuration));
await app.StartAsync();
try
{
    var grains = app.Services.GetRequiredService<IGrainFactory>();
    var users = Enumerable.Range(0, options.Users).Select(i => $"bench-feed-{i}").ToArray();
    var subscriptions = new List<IDisposable>();
    var hub = app.Services.GetRequiredService<UserFeedHub>();
    async Task<ChannelReader<SseFrame>> Subscribe(string user)
    {
        var subscription = (await hub.SubscribeAsync(user))!;
        lock (subscriptions)
        {
            subscriptions.Add(subscription);
        }

        return subscription.Reader;
    }

    Task Publish(string user, string json) => grains.GetGrain<IUserFeedGrain>(user).Publish("bench", json);

    // Connect every user (64 at a time), as front ends do when people open the dashboard.
    var connectWatch = Stopwatch.StartNew();
    var readers = new ChannelReader<SseFrame>[users.Length];
    using (var gate = new SemaphoreSlim(64))
    {
        await Task.WhenAll(users.Select(async (user, i) =>
        {
            await gate.WaitAsync();
            try
            {
                readers[i] = await Subscribe(user);
            }
            finally
            {
                gate.Release();
            }
        }));
    }

    Console.WriteLine($"connected {users.Length} users in {connectWatch.Elapsed.TotalMilliseconds:F0} ms");

    var recorders = users.Select(_ => new List<double>()).ToArray();
    var warmed = new CountdownEvent(users.Length);
    long delivered = 0;
    using var stopReading = new CancellationTokenSource();
    var reading = readers.Select((reader, i) => Task.Run(async () =>
    {
        var warm = false;
        try
        {
            await foreach (var frame in reader.ReadAllAsync(stopReading.Token))
            {
                var arrived = Stopwatch.GetTimestamp();
                var (sent, measured) = Parse(frame.Bytes);
                if (!measured)
                {
                    if (!warm)
                    {
                        warm = true;
                        warmed.Signal();
                    }

                    continue;
                }

                recorders[i].Add(Stopwatch.GetElapsedTime(sent, arrived).TotalMilliseconds);
                Interlocked.Increment(ref delivered);
            }
        }
        catch (OperationCanceledException)
        {
        }
    })).ToArray();

    // Warm-up: one entry per user activates its grains and proves its path end to end before anything is measured.
    foreach (var user in users)
    {
        await Publish(user, Json(Stopwatch.GetTimestamp(), measured: false));
    }

    if (!warmed.Wait(TimeSpan.FromSeconds(120)))
    {
        Console.WriteLine($"warm-up incomplete: {users.Length - warmed.CurrentCount} of {users.Length} users got their first entry");
    }

    // Open loop: every 5 ms, publish what the rate says is due by now, round robin over the users.
    var total = (double)options.Users * options.Rate;
    var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
    var clock = Stopwatch.StartNew();
    long published = 0;
    var next = 0;
    using (var ticks = new PeriodicTimer(TimeSpan.FromMilliseconds(5)))
    {
        while (clock.Elapsed.TotalSeconds < options.Seconds && await ticks.WaitForNextTickAsync())
        {
            var due = (long)(clock.Elapsed.TotalSeconds * total);
            for (; published < due; published++)
            {
                _ = Publish(users[next], Json(Stopwatch.GetTimestamp(), measured: true));
                next = (next + 1) % users.Length;
            }
        }
    }

    var window = clock.Elapsed;
    var deliveredInWindow = Interlocked.Read(ref delivered);

    // Drain: up to 10 s more for what is still on its way; whatever is missing after that is counted as lost.
    var drain = Stopwatch.StartNew();
    while (Interlocked.Read(ref delivered) < published && drain.Elapsed < TimeSpan.FromSeconds(10))
    {
        await Task.Delay(50);
    }

    var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
    await stopReading.CancelAsync();
    await Task.WhenAll(reading);
    var latencies = recorders.SelectMany(r => r).Order().ToArray();
    var lost = published - latencies.Length;
    Console.WriteLine($"users={options.Users} offered={total:F0}/s published={published} delivered={latencies.Length} lost={lost} " +
        $"throughput={deliveredInWindow / window.TotalSeconds:F0}/s (delivered within the {window.TotalSeconds:F1} s window)");
    Console.WriteLine($"latency ms: p50={Percentile(latencies, 0.50):F2} p90={Percentile(latencies, 0.90):F2} p99={Percentile(latencies, 0.99):F2} " +
        $"max={(latencies.Length > 0 ? latencies[^1] : double.NaN):F2}; cpu {cpu.TotalMilliseconds / Math.Max(1, latencies.Length) * 1000:F0} ms per 1000 deliveries");
    foreach (var subscription in subscriptions)
    {
        subscription.Dispose();
    }
}
finally
{
    using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(30));
    await app.StopAsync(stopping.Token);
    await app.DisposeAsync();
    data.Delete(recursive: true);
}

static string Json(long timestamp, bool measured) => $"{{\"t\":{timestamp},\"m\":{(measured ? "true" : "false")}}}";

// A frame is "id: n\ndata: {id, type, data: {t, m}, at}\n\n".
static (long Sent, bool Measured) Parse(byte[] frame)
{
    var text = Encoding.UTF8.GetString(frame);
    var start = text.IndexOf("data: ", StringComparison.Ordinal) + 6;
    using var json = JsonDocument.Parse(text.AsMemory(start).ToString().Trim());
    var entry = json.RootElement.GetProperty("data");
    return (entry.GetProperty("t").GetInt64(), entry.GetProperty("m").GetBoolean());
}

static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];

static int FreePort()
{
    using var socket = new TcpListener(IPAddress.Loopback, 0);
    socket.Start();
    return ((IPEndPoint)socket.LocalEndpoint).Port;
}

internal sealed record Options(int Users, double Rate, int Seconds)
{
    public static Options Parse(string[] args)
    {
        string Value(string name, string fallback)
        {
            var index = Array.IndexOf(args, name);
            return index >= 0 && index + 1 < args.Length ? args[index + 1] : fallback;
        }

        return new Options(int.Parse(Value("--users", "1000"), CultureInfo.InvariantCulture),
            double.Parse(Value("--rate", "2"), CultureInfo.InvariantCulture), int.Parse(Value("--seconds", "20"), CultureInfo.InvariantCulture));
    }
}
