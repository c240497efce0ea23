// Telemetry fan-out through signaling rooms over real WebSockets on loopback: R rooms, each with one robot
// publishing telemetry at a fixed rate and V viewers receiving it. Each message carries the sender's monotonic
// timestamp (same process, same clock), so every delivery yields one latency sample. Bounded in time; stops by itself.
using System.Buffers.Text;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using OrbitGrains.Bench.RoomsFanout;

var options = FanoutOptions.Parse(args);
if (!options.BaseUri.IsLoopback)
{
    Console.Error.WriteLine("rooms fan-out runs only against loopback addresses.");
    return 2;
}

// Whatever happens (a stuck handshake, a server that stops answering), the run ends.
using var hardStop = new Timer(_ =>
{
    Console.Error.WriteLine("hard deadline reached; exiting");
    Environment.Exit(3);
}, null, TimeSpan.FromSeconds(options.Seconds + options.Warmup + 240), Timeout.InfiniteTimeSpan);

using var http = new HttpClient { BaseAddress = options.BaseUri, Timeout = TimeSpan.FromSeconds(30) };
http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.Token);
var robotToken = await LoginAsync(http, "robot");
var viewerToken = await LoginAsync(http, "viewer");
var histogram = new LatencyHistogram();
var setup = Stopwatch.StartNew();

var rooms = new List<Room>();
for (var i = 0; i < options.Rooms; i++)
{
    using var response = await http.PostAsJsonAsync("/api/session", new { name = $"bench-{i}" });
    response.EnsureSuccessStatusCode();
    rooms.Add(new Room((string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["session_id"]!));
}

// Viewers first, then robots, a bounded number of handshakes at a time.
using var gate = new SemaphoreSlim(32);
await Task.WhenAll(rooms.SelectMany(room => Enumerable.Range(0, options.Viewers).Select(async _ =>
{
    await gate.WaitAsync();
    try
    {
        room.Viewers.Add(await Viewer.OpenAsync(options.BaseUri, viewerToken, room.SessionId, histogram));
    }
    finally
    {
        gate.Release();
    }
})));
foreach (var room in rooms)
{
    room.Robot = await Peer.ConnectAsync(options.BaseUri, robotToken, room.SessionId);
}

Console.WriteLine($"rooms={options.Rooms} viewers/room={options.Viewers} sockets={options.Rooms * (options.Viewers + 1)} rate/robot={options.Rate}/s " +
                  $"warmup={options.Warmup}s seconds={options.Seconds} setup={setup.Elapsed.TotalSeconds:F1}s");

// One pacing loop for all robots, on absolute times so it does not drift; a robot whose send is still pending skips a tick.
var interval = TimeSpan.FromSeconds(1.0 / options.Rate);
var start = Stopwatch.GetTimestamp();
var measureFrom = start + (long)(options.Warmup * Stopwatch.Frequency);
var end = measureFrom + (long)(options.Seconds * Stopwatch.Frequency);
histogram.MeasureFrom = measureFrom;
long sentMeasured = 0, skipped = 0, tick = 0;
var pending = new Task[rooms.Count];
while (Stopwatch.GetTimestamp() < end)
{
    for (var i = 0; i < rooms.Count; i++)
    {
        if (pending[i] is { IsCompleted: false })
        {
            skipped++;
            continue;
        }

        var now = Stopwatch.GetTimestamp();
        if (now >= measureFrom)
        {
            sentMeasured++;
        }

        pending[i] = rooms[i].Robot!.SendAsync(Encoding.UTF8.GetBytes($$$"""{"type":"telemetry","data":{"t":{{{now}}},"seq":{{{tick}}},"pose":{"x":1.25,"y":-0.5,"yaw":0.1},"battery":0.87}}"""));
    }

    tick++;
    var next = start + (long)(tick * interval.TotalSeconds * Stopwatch.Frequency);
    var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), next);
    if (wait > TimeSpan.Zero)
    {
        await Task.Delay(wait);
    }
}

// Let in-flight deliveries land before reading the figures.
await Task.Delay(TimeSpan.FromSeconds(1));
var expected = sentMeasured * options.Viewers;
Console.WriteLine($"sent={sentMeasured} ({sentMeasured / (double)options.Seconds:F0} msg/s) skipped_ticks={skipped} expected_deliveries={expected} " +
                  $"delivered={histogram.Count} ({histogram.Count / (double)options.Seconds:F0} msg/s) closed_viewers={rooms.Sum(r => r.Viewers.Count(v => v.Closed))}");
Console.WriteLine($"latency_ms p50={histogram.Percentile(0.50):F3} p99={histogram.Percentile(0.99):F3} p99.9={histogram.Percentile(0.999):F3} max={histogram.MaxMs:F3}");
Environment.Exit(0);
return 0;

static async Task<string> LoginAsync(HttpClient http, string role)
{
    using var response = await http.PostAsJsonAsync("/api/login", new { role });
    response.EnsureSuccessStatusCode();
    return (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["token"]!;
}

namespace OrbitGrains.Bench.RoomsFanout
{
    internal sealed record FanoutOptions(Uri BaseUri, string Token, int Rooms, int Viewers, int Rate, int Seconds, int Warmup)
    {
        public static FanoutOptions Parse(string[] args)
        {
            var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i + 1 < args.Length; i += 2)
            {
                map[args[i].TrimStart('-')] = args[i + 1];
            }

            int Int(string key, int fallback, int max) => Math.Clamp(int.Parse(map.GetValueOrDefault(key, fallback.ToString())), 1, max);
            return new FanoutOptions(
                new Uri(map.GetValueOrDefault("base", "http://127.0.0.1:8090")),
                map.GetValueOrDefault("token") ?? Environment.GetEnvironmentVariable("BENCH_AUTH_TOKEN") ?? throw new ArgumentException("--token or BENCH_AUTH_TOKEN"),
                Int("rooms", 100, 1000), Int("viewers", 50, 1000), Int("rate", 100, 10_000), Int("seconds", 20, 300), Int("warmup", 3, 60));
        }
    }

    internal sealed class Room(string sessionId)
    {
        public string SessionId { get; } = sessionId;
        public Peer? Robot { get; set; }
        public System.Collections.Concurrent.ConcurrentBag<Viewer> Viewers { get; } = [];
    }

    internal class Peer(ClientWebSocket socket)
    {
        protected ClientWebSocket Socket { get; } = socket;

        public static async Task<Peer> ConnectAsync(Uri baseUri, string token, string sessionId)
        {
            var socket = await OpenAsync(baseUri, token, sessionId);
            var peer = new Peer(socket);
            _ = peer.DiscardAsync();
            return peer;
        }

        protected static async Task<ClientWebSocket> OpenAsync(Uri baseUri, string token, string sessionId)
        {
            var socket = new ClientWebSocket();
            var uri = new UriBuilder(baseUri) { Scheme = "ws", Path = "/ws", Query = $"token={Uri.EscapeDataString(token)}&session_id={sessionId}" }.Uri;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await socket.ConnectAsync(uri, timeout.Token);
            // Wait for "joined", so the room knows the socket before any telemetry flows.
            var buffer = new byte[64 * 1024];
            var result = await socket.ReceiveAsync(buffer, timeout.Token);
            if (!Encoding.UTF8.GetString(buffer, 0, result.Count).Contains("\"joined\"", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"expected joined, got {Encoding.UTF8.GetString(buffer, 0, result.Count)}");
            }

            return socket;
        }

        public Task SendAsync(byte[] frame) => Socket.SendAsync(frame, WebSocketMessageType.Text, true, CancellationToken.None);

        private async Task DiscardAsync()
        {
            var buffer = new byte[64 * 1024];
            try
            {
                while (Socket.State == WebSocketState.Open)
                {
                    await Socket.ReceiveAsync(buffer, CancellationToken.None);
                }
            }
            catch (WebSocketException)
            {
            }
        }
    }

    internal sealed class Viewer : Peer
    {
        private static readonly byte[] Telemetry = "\"type\":\"telemetry\""u8.ToArray();
        private static readonly byte[] Stamp = "\"t\":"u8.ToArray();
        private readonly LatencyHistogram _histogram;

        private Viewer(ClientWebSocket socket, LatencyHistogram histogram) : base(socket) => _histogram = histogram;

        public bool Closed { get; private set; }

        public static async Task<Viewer> OpenAsync(Uri baseUri, string token, string sessionId, LatencyHistogram histogram)
        {
            var viewer = new Viewer(await OpenAsync(baseUri, token, sessionId), histogram);
            _ = viewer.ReceiveAsync();
            return viewer;
        }

        private async Task ReceiveAsync()
        {
            var buffer = new byte[64 * 1024];
            try
            {
                while (Socket.State == WebSocketState.Open)
                {
                    var result = await Socket.ReceiveAsync(buffer, CancellationToken.None);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        break;
                    }

                    var received = Stopwatch.GetTimestamp();
                    var frame = buffer.AsSpan(0, result.Count);
                    var at = frame.IndexOf(Stamp);
                    if (frame.IndexOf(Telemetry) >= 0 && at >= 0 && Utf8Parser.TryParse(frame[(at + Stamp.Length)..], out long sent, out _))
                    {
                        _histogram.Add(sent, received);
                    }
                }
            }
            catch (WebSocketException)
            {
            }

            Closed = true;
        }
    }

    /// <summary>Latencies in 10 µs buckets up to 2 s (anything slower lands in the last bucket); lock-free adds.</summary>
    internal sealed class LatencyHistogram
    {
        private const double BucketMs = 0.01;
        private readonly long[] _buckets = new long[200_000];
        private long _count;
        private long _maxTicks;

        public long MeasureFrom { get; set; } = long.MaxValue;

        public long Count => Interlocked.Read(ref _count);

        public double MaxMs => _maxTicks * 1000.0 / Stopwatch.Frequency;

        public void Add(long sentTimestamp, long receivedTimestamp)
        {
            if (sentTimestamp < MeasureFrom)
            {
                return;
            }

            var ticks = receivedTimestamp - sentTimestamp;
            var bucket = (int)Math.Min(_buckets.Length - 1, ticks * 1000.0 / Stopwatch.Frequency / BucketMs);
            Interlocked.Increment(ref _buckets[bucket]);
            Interlocked.Increment(ref _count);
            long max;
            while (ticks > (max = Interlocked.Read(ref _maxTicks)) && Interlocked.CompareExchange(ref _maxTicks, ticks, max) != max)
            {
            }
        }

        public double Percentile(double p)
        {
            var target = (long)Math.Ceiling(p * Count);
            long seen = 0;
            for (var i = 0; i < _buckets.Length; i++)
            {
                seen += _buckets[i];
                if (seen >= target && target > 0)
                {
                    return (i + 1) * BucketMs;
                }
            }

            return 0;
        }
    }
}
