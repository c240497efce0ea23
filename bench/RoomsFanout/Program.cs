// Telemetry fan-out through signaling rooms over real WebSockets on loopback: R rooms, each with one robot
// publishing telemetry at a fixed rate and V viewers receiving it. Each message carries the sender's monotonic
// timestamp (same process, same clock), so every delivery yields one latency sample. Bounded in time; stops by itself.
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
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
using var viewers = new EpollViewers(options.Receivers, histogram);
var setup = Stopwatch.StartNew();

var sessions = new List<string>();
for (var i = 0; i < options.Rooms; i++)
{
    using var response = await http.PostAsJsonAsync("/api/session", new { name = $"bench-{i}" });
    response.EnsureSuccessStatusCode();
    sessions.Add((string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["session_id"]!);
}

// Viewers first (blocking handshakes, a bounded number at a time), then robots.
viewers.Start();
Parallel.ForEach(
    sessions.SelectMany(session => Enumerable.Repeat(session, options.Viewers)),
    new ParallelOptions { MaxDegreeOfParallelism = 32 },
    session => viewers.Add(RawViewer.Open(options.BaseUri, viewerToken, session)));
var robots = new Peer[sessions.Count];
for (var i = 0; i < sessions.Count; i++)
{
    robots[i] = await Peer.ConnectAsync(options.BaseUri, robotToken, sessions[i]);
}

Console.WriteLine($"rooms={options.Rooms} viewers/room={options.Viewers} sockets={options.Rooms * (options.Viewers + 1)} rate/robot={options.Rate}/s " +
                  $"phase={options.Phase} receivers={options.Receivers} warmup={options.Warmup}s seconds={options.Seconds} setup={setup.Elapsed.TotalSeconds:F1}s");

// Each robot has its own absolute schedule, so pacing does not drift; a robot whose send is still pending skips a
// tick. A message is stamped when it is actually sent, so the pacing thread's own wake-up jitter is not counted.
var interval = (long)(Stopwatch.Frequency / (double)options.Rate);
var start = Stopwatch.GetTimestamp();
var measureFrom = start + (long)(options.Warmup * Stopwatch.Frequency);
var end = measureFrom + (long)(options.Seconds * Stopwatch.Frequency);
histogram.MeasureFrom = measureFrom;
var due = new long[robots.Length];
for (var i = 0; i < robots.Length; i++)
{
    due[i] = start + (options.Phase == "spread" ? interval * i / robots.Length : 0);
}

long sentMeasured = 0, skipped = 0;
var seq = new long[robots.Length];
var pending = new Task[robots.Length];
var pacing = new Thread(() =>
{
    while (Stopwatch.GetTimestamp() < end)
    {
        var next = long.MaxValue;
        for (var i = 0; i < robots.Length; i++)
        {
            var now = Stopwatch.GetTimestamp();
            if (due[i] <= now)
            {
                due[i] += interval;
                if (pending[i] is { IsCompleted: false })
                {
                    skipped++;
                }
                else
                {
                    if (now >= measureFrom)
                    {
                        sentMeasured++;
                    }

                    var send = robots[i].SendAsync(Encoding.UTF8.GetBytes(
                        $$$"""{"type":"telemetry","data":{"t":{{{now}}},"seq":{{{seq[i]++}}},"pose":{"x":1.25,"y":-0.5,"yaw":0.1},"battery":0.87}}"""));
                    pending[i] = send.IsCompletedSuccessfully ? Task.CompletedTask : send.AsTask();
                }
            }

            next = Math.Min(next, due[i]);
        }

        // Sleep(0) would spin this thread on the cores the product needs: wake at most every millisecond and send
        // whatever fell due meanwhile (at 100 robots x 100/s, about ten robots per wake-up).
        var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), next);
        if (wait > TimeSpan.Zero)
        {
            Thread.Sleep(Math.Max(1, (int)Math.Ceiling(wait.TotalMilliseconds)));
        }
    }
}) { IsBackground = true, Name = "robots" };
var cpu = new CpuWindow(options.ServerPid);
var measuring = new Thread(() =>
{
    Thread.Sleep(Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), measureFrom));
    cpu.Begin();
}) { IsBackground = true };
measuring.Start();
pacing.Start();
pacing.Join();
cpu.End();

// Let in-flight deliveries land before reading the figures.
await Task.Delay(TimeSpan.FromSeconds(1));
var expected = sentMeasured * options.Viewers;
Console.WriteLine($"sent={sentMeasured} ({sentMeasured / (double)options.Seconds:F0} msg/s) skipped_ticks={skipped} expected_deliveries={expected} " +
                  $"delivered={histogram.Count} ({histogram.Count / (double)options.Seconds:F0} msg/s) closed_viewers={viewers.Closed}");
Console.WriteLine(cpu.Report(options.Seconds));
Console.WriteLine($"latency_ms p50={histogram.Percentile(0.50):F3} p99={histogram.Percentile(0.99):F3} p99.9={histogram.Percentile(0.999):F3} max={histogram.MaxMs:F3}");
Environment.Exit(0);
return 0;

static async Task<string> LoginAsync(HttpClient http, string role)
{
    using var response = await http.PostAsJsonAsync("/api/login", new { role });
    response.EnsureSuccessStatusCode();
    return (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["token"]!;
}
