// Drives a relay with N anchors and M subscribed clients over real WebSockets on loopback and reports
// delivered messages/s and latency percentiles. Targets: the OrbitGrains product (signs users in through its
// own HTTP API: basic registration and the device flow) or the bare Kestrel relay in bench/BareRelay.
// Modes: "max" (closed loop, a window of messages in flight per anchor), "rate" (open loop at a fixed rate),
// "idle" (opens many client sockets and reports the server's resident memory per socket).
// Every run is bounded in time and stops by itself.
using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using OrbitGrains.Bench.RelayLoad;

var options = LoadOptions.Parse(args);
if (!options.BaseUri.IsLoopback)
{
    Console.Error.WriteLine("relay load runs only against loopback addresses.");
    return 2;
}

using var http = new HttpClient { BaseAddress = options.BaseUri, Timeout = TimeSpan.FromSeconds(30) };
var parties = await Party.PrepareAsync(options, http);
Console.WriteLine($"target={options.Target} mode={options.Mode} anchors={parties.Count} clients/anchor={options.ClientsPerAnchor} seconds={options.Seconds}");

if (options.Mode == "idle")
{
    return await IdleRun.RunAsync(options, parties);
}

var groups = new List<Group>();
foreach (var party in parties)
{
    groups.Add(await Group.OpenAsync(options, party));
}

var warmup = TimeSpan.FromSeconds(Math.Min(2, options.Seconds / 4.0));
var measureFrom = Stopwatch.GetTimestamp() + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
foreach (var group in groups)
{
    group.MeasureFrom = measureFrom;
}

using var stop = new CancellationTokenSource(warmup + TimeSpan.FromSeconds(options.Seconds));
var senders = groups.Select(g => options.Mode == "rate" ? g.SendAtRateAsync(options.RatePerAnchor, stop.Token) : g.SendClosedLoopAsync(options.Window, stop.Token)).ToList();
await Task.WhenAll(senders);
var measuredSeconds = options.Seconds;

var latencies = groups.SelectMany(g => g.Clients).SelectMany(c => c.Latencies).ToArray();
Array.Sort(latencies);
var delivered = groups.Sum(g => g.Clients.Sum(c => c.MeasuredCount));
var closed = groups.Sum(g => g.Clients.Count(c => c.ClosedEarly));
Console.WriteLine($"delivered={delivered} rate={delivered / measuredSeconds:F0} msg/s sent={groups.Sum(g => g.SentMeasured)} closed_clients={closed}");
Console.WriteLine($"latency_ms p50={Percentile(latencies, 0.50):F3} p99={Percentile(latencies, 0.99):F3} p99.9={Percentile(latencies, 0.999):F3} max={(latencies.Length > 0 ? latencies[^1] : 0):F3}");
if (options.Timeline)
{
    // When the slow messages were sent: one line per second of the measurement, the worst latency among them.
    var receivers = groups.SelectMany(g => g.Clients).ToList();
    for (var second = 0; second < measuredSeconds; second++)
    {
        Console.WriteLine($"second {second}: worst {receivers.Max(r => r.WorstBySecond[second]):F1} ms");
    }

    // Slices whose worst message took over --spikes ms, by wall-clock time of sending (UTC), to set beside a trace.
    var startUtc = DateTime.UtcNow - Stopwatch.GetElapsedTime(measureFrom);
    for (var slice = 0; slice < measuredSeconds * 100 && options.SpikesMs > 0; slice++)
    {
        var worst = receivers.Max(r => r.WorstBySlice[slice]);
        if (worst > options.SpikesMs)
        {
            Console.WriteLine($"spike {startUtc.AddMilliseconds(slice * 10):HH:mm:ss.fff}: worst {worst:F1} ms");
        }
    }
}

foreach (var group in groups)
{
    await group.DisposeAsync();
}

return 0;

static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];

namespace OrbitGrains.Bench.RelayLoad
{
    internal sealed record LoadOptions(string Target, string Mode, Uri BaseUri, int Anchors, int ClientsPerAnchor, int Seconds,
        int RatePerAnchor, int Window, int Payload, int IdleSockets, int ServerPid, bool Timeline, int SpikesMs)
    {
        public static LoadOptions Parse(string[] args)
        {
            var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i + 1 < args.Length; i += 2)
            {
                map[args[i].TrimStart('-')] = args[i + 1];
            }

            string Get(string key, string fallback) => map.GetValueOrDefault(key, fallback);
            int Int(string key, int fallback) => int.Parse(Get(key, fallback.ToString()));
            return new LoadOptions(Get("target", "orbit"), Get("mode", "max"), new Uri(Get("base", "http://127.0.0.1:8080")),
                Int("anchors", 8), Int("clients", 4), Math.Clamp(Int("seconds", 10), 1, 600), Int("rate", 500), Int("window", 16),
                Int("payload", 64), Int("sockets", 10000), Int("server-pid", 0), Get("timeline", "false") == "true", Int("spikes", 0));
        }
    }

    /// <summary>One user (orbit) or group (bare): the URIs its anchor and clients connect to.</summary>
    internal sealed record Party(string Name, Uri AnchorUri, Func<int, Uri> ClientUri)
    {
        public static async Task<List<Party>> PrepareAsync(LoadOptions options, HttpClient http)
        {
            var ws = new UriBuilder(options.BaseUri) { Scheme = "ws" }.Uri;
            var run = Guid.NewGuid().ToString("N")[..8];
            var parties = new Party[Math.Max(1, options.Anchors)];
            // Thousands of users (the idle run) are signed up a few at a time; idle users need no anchor.
            await Parallel.ForEachAsync(Enumerable.Range(0, parties.Length), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
            {
                var name = $"bench-{run}-{i}";
                if (options.Target == "bare")
                {
                    parties[i] = new Party(name, new Uri(ws, $"/ws/anchor?group={name}"), c => new Uri(ws, $"/ws/client?group={name}"));
                    return;
                }

                var (clientToken, anchorToken) = await SignInAsync(http, name, withAnchor: options.Mode != "idle");
                parties[i] = new Party(name, new Uri(ws, $"/ws/anchor?token={anchorToken}"),
                    c => new Uri(ws, $"/ws/client?token={clientToken}&clientId={name}-{c}"));
            });

            return [.. parties];
        }

        /// <summary>What a person and their Anchor do: register, then authorise the Anchor's device code.</summary>
        private static async Task<(string Client, string Anchor)> SignInAsync(HttpClient http, string name, bool withAnchor)
        {
            var session = await Json(await http.PostAsJsonAsync("/auth/register/basic", new { name }));
            var token = session.GetProperty("token").GetString()!;
            if (!withAnchor)
            {
                return (token, "");
            }

            var code = await Json(await http.PostAsync("/auth/device/code", null));
            using var authorise = new HttpRequestMessage(HttpMethod.Post, "/auth/device/authorise")
            {
                Content = JsonContent.Create(new { userCode = code.GetProperty("userCode").GetString() }),
            };
            authorise.Headers.Authorization = new("Bearer", token);
            (await http.SendAsync(authorise)).EnsureSuccessStatusCode();
            var anchor = await Json(await http.PostAsJsonAsync("/auth/device/token", new { deviceCode = code.GetProperty("deviceCode").GetString() }));
            return (token, anchor.GetProperty("anchorAccessToken").GetString()!);
        }

        private static async Task<JsonElement> Json(HttpResponseMessage response)
        {
            response.EnsureSuccessStatusCode();
            return await response.Content.ReadFromJsonAsync<JsonElement>();
        }
    }

    internal sealed class Group : IAsyncDisposable
    {
        private readonly ClientWebSocket _anchor;
        private readonly SemaphoreSlim _window = new(0);
        private readonly string _padding;
        private long _delivered;
        private long _seq;

        private Group(ClientWebSocket anchor, List<Receiver> clients, int payload)
        {
            _anchor = anchor;
            Clients = clients;
            _padding = new string('x', Math.Max(0, payload));
            foreach (var client in clients)
            {
                client.OnDelivered = Delivered;
            }
        }

        public List<Receiver> Clients { get; }

        public long MeasureFrom
        {
            set
            {
                foreach (var client in Clients)
                {
                    client.MeasureFrom = value;
                }
            }
        }

        public long SentMeasured { get; private set; }

        public static async Task<Group> OpenAsync(LoadOptions options, Party party)
        {
            var orbit = options.Target != "bare";
            var anchor = await Sockets.ConnectAsync(party.AnchorUri);
            if (orbit)
            {
                await Sockets.SendAsync(anchor, $$"""{"type":"anchor.hello","hostname":"{{party.Name}}","platform":"bench","anchorId":"{{party.Name}}"}""");
                await Sockets.SendAsync(anchor, """{"type":"orbit.subscribe","threadId":"bench"}""");
                await Sockets.WaitForAsync(anchor, "orbit.subscribed");
            }

            var clients = new List<Receiver>();
            for (var c = 0; c < options.ClientsPerAnchor; c++)
            {
                var socket = await Sockets.ConnectAsync(party.ClientUri(c));
                if (orbit)
                {
                    await Sockets.SendAsync(socket, """{"type":"orbit.subscribe","threadId":"bench"}""");
                    await Sockets.WaitForAsync(socket, "orbit.relay-state");
                }

                clients.Add(new Receiver(socket));
            }

            _ = Sockets.DrainAsync(anchor);
            return new Group(anchor, clients, options.Payload);
        }

        public async Task SendClosedLoopAsync(int window, CancellationToken stop)
        {
            _window.Release(window);
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    await _window.WaitAsync(stop);
                    await SendOneAsync(stop);
                }
            }
            catch (OperationCanceledException)
            {
            }
        }

        public async Task SendAtRateAsync(int perSecond, CancellationToken stop)
        {
            var start = Stopwatch.GetTimestamp();
            long sent = 0;
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    var due = start + (long)(sent * (double)Stopwatch.Frequency / perSecond);
                    var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                    if (wait > TimeSpan.FromMilliseconds(1))
                    {
                        await Task.Delay(wait, stop);
                    }

                    await SendOneAsync(stop);
                    sent++;
                }
            }
            catch (OperationCanceledException)
            {
            }
        }

        private async Task SendOneAsync(CancellationToken stop)
        {
            var now = Stopwatch.GetTimestamp();
            if (now >= Clients[0].MeasureStart)
            {
                SentMeasured++;
            }

            var frame = $$$"""{"method":"item/agentMessage/delta","params":{"threadId":"bench","seq":{{{_seq++}}},"t":{{{now}}},"delta":"{{{_padding}}}"}}""";
            await Sockets.SendAsync(_anchor, frame, stop);
        }

        /// <summary>One more message reached every client: let the closed loop send another.</summary>
        private void Delivered()
        {
            if (Interlocked.Increment(ref _delivered) % Clients.Count == 0)
            {
                _window.Release();
            }
        }

        public async ValueTask DisposeAsync()
        {
            _anchor.Abort();
            foreach (var client in Clients)
            {
                client.Socket.Abort();
            }

            await Task.CompletedTask;
        }
    }

    internal sealed class Receiver
    {
        private readonly Task _pump;

        public Receiver(ClientWebSocket socket)
        {
            Socket = socket;
            _pump = PumpAsync();
        }

        public ClientWebSocket Socket { get; }
        public List<double> Latencies { get; } = new(1 << 16);
        public long MeasuredCount { get; private set; }
        public bool ClosedEarly { get; private set; }
        public long MeasureStart { get; private set; } = long.MaxValue;
        public long MeasureFrom { set => MeasureStart = value; }
        public Action? OnDelivered { get; set; }

        /// <summary>The worst latency (ms) of the messages sent in each second since the measurement began.</summary>
        public double[] WorstBySecond { get; } = new double[601];

        /// <summary>The same in 10 ms slices, for matching slow messages against the server's own events.</summary>
        public double[] WorstBySlice { get; } = new double[60_100];

        private async Task PumpAsync()
        {
            var buffer = new byte[256 * 1024];
            try
            {
                while (Socket.State == WebSocketState.Open)
                {
                    var length = 0;
                    ValueWebSocketReceiveResult result;
                    do
                    {
                        result = await Socket.ReceiveAsync(buffer.AsMemory(length), CancellationToken.None);
                        length += result.Count;
                    }
                    while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        ClosedEarly = true;
                        return;
                    }

                    var received = Stopwatch.GetTimestamp();
                    if (SentAt(buffer.AsSpan(0, length)) is not { } sent)
                    {
                        continue;
                    }

                    if (sent >= MeasureStart)
                    {
                        MeasuredCount++;
                        var latency = Stopwatch.GetElapsedTime(sent, received).TotalMilliseconds;
                        Latencies.Add(latency);
                        var second = (int)Math.Min(WorstBySecond.Length - 1, (sent - MeasureStart) / Stopwatch.Frequency);
                        WorstBySecond[second] = Math.Max(WorstBySecond[second], latency);
                        var slice = (int)Math.Min(WorstBySlice.Length - 1, (sent - MeasureStart) / (Stopwatch.Frequency / 100));
                        WorstBySlice[slice] = Math.Max(WorstBySlice[slice], latency);
                    }

                    OnDelivered?.Invoke();
                }
            }
            catch (WebSocketException)
            {
                ClosedEarly = true;
            }
        }

        private static long? SentAt(ReadOnlySpan<byte> frame)
        {
            var reader = new Utf8JsonReader(frame);
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("t"u8) && reader.Read() && reader.TryGetInt64(out var t))
                {
                    return t;
                }
            }

            return null;
        }
    }

    internal static class IdleRun
    {
        public static async Task<int> RunAsync(LoadOptions options, List<Party> parties)
        {
            if (options.ServerPid == 0)
            {
                Console.Error.WriteLine("idle mode needs --server-pid to read the server's resident memory.");
                return 2;
            }

            // Memory is read three times: before any socket, after the first half and after the second. The average
            // over all sockets carries what the first connections cost once (code paths run and compiled for the first
            // time, pools and GC budgets growing); the second half's growth per socket is what one more socket costs.
            // Each user's sockets are opened one after another, so each half also activates its own half of the users'
            // relay grains.
            var before = Memory.Read(options.ServerPid);
            var sockets = new List<ClientWebSocket>(options.IdleSockets);
            var half = options.IdleSockets / 2;
            Memory middle = before;
            for (var i = 0; i < options.IdleSockets; i++)
            {
                if (i == half)
                {
                    await Task.Delay(TimeSpan.FromSeconds(Math.Min(options.Seconds, 10)));
                    middle = Memory.Read(options.ServerPid);
                }

                var party = parties[(int)((long)i * parties.Count / options.IdleSockets)];
                sockets.Add(await Sockets.ConnectAsync(party.ClientUri(100_000 + i)));
            }

            // Give the server a moment to settle allocations from the connection burst before reading its memory.
            await Task.Delay(TimeSpan.FromSeconds(Math.Min(options.Seconds, 10)));
            var after = Memory.Read(options.ServerPid);
            var open = sockets.Count(s => s.State == WebSocketState.Open);
            var second = options.IdleSockets - half;
            Console.WriteLine($"idle_sockets={open} users={parties.Count} server_rss_before_kib={before.ResidentKiB} server_rss_half_kib={middle.ResidentKiB} " +
                              $"server_rss_after_kib={after.ResidentKiB} per_socket_kib={(after.ResidentKiB - before.ResidentKiB) / (double)Math.Max(1, open):F1} " +
                              $"marginal_per_socket_kib={(after.ResidentKiB - middle.ResidentKiB) / (double)second:F1} " +
                              $"marginal_anon_per_socket_kib={(after.AnonymousKiB - middle.AnonymousKiB) / (double)second:F1}");

            // Then hold them for the whole run: the server's CPU over that time is everything idle sockets cost it
            // (hub lease renewals, keep-alive pings, timers), an upper bound on the renewal work alone.
            // A pending receive is what answers the server's keep-alive pings; a small buffer each, 20,000 of them.
            var readers = sockets.Select(socket => Sockets.DrainAsync(socket, 1024)).ToList();
            var ticksBefore = CpuTicks(options.ServerPid);
            var held = System.Diagnostics.Stopwatch.StartNew();
            await Task.Delay(TimeSpan.FromSeconds(options.Seconds));
            var cores = (CpuTicks(options.ServerPid) - ticksBefore) / (double)ClockTicksPerSecond / held.Elapsed.TotalSeconds;
            var stillOpen = sockets.Count(s => s.State == WebSocketState.Open);
            Console.WriteLine($"held_s={held.Elapsed.TotalSeconds:F0} server_cpu_cores={cores:F4} ({cores * 100:F2}% of one core) " +
                              $"still_open={stillOpen} dropped={open - stillOpen} server_rss_end_kib={ResidentKiB(options.ServerPid)}");
            foreach (var socket in sockets)
            {
                socket.Abort();
            }

            return 0;
        }

        /// <summary>USER_HZ, which /proc reports CPU time in: 100 on every Linux this runs on.</summary>
        private const int ClockTicksPerSecond = 100;

        /// <summary>The process's user and system CPU time so far, in clock ticks (/proc/[pid]/stat fields 14 and 15).</summary>
        private static long CpuTicks(int pid)
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[11]) + long.Parse(fields[12]);
        }

        private static long ResidentKiB(int pid) => Memory.Read(pid).ResidentKiB;

        /// <summary>A process's resident memory (/proc/[pid]/status VmRSS) and its anonymous part (RssAnon: heaps, not mapped files).</summary>
        private readonly record struct Memory(long ResidentKiB, long AnonymousKiB)
        {
            public static Memory Read(int pid)
            {
                var lines = File.ReadLines($"/proc/{pid}/status").ToList();
                return new Memory(Field(lines, "VmRSS:"), Field(lines, "RssAnon:"));
            }

            private static long Field(List<string> lines, string name) =>
                lines.Where(l => l.StartsWith(name, StringComparison.Ordinal)).Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1])).Single();
        }
    }

    internal static class Sockets
    {
        public static async Task<ClientWebSocket> ConnectAsync(Uri uri)
        {
            var socket = new ClientWebSocket();
            socket.Options.KeepAliveInterval = TimeSpan.Zero;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await socket.ConnectAsync(uri, timeout.Token);
            return socket;
        }

        public static Task SendAsync(ClientWebSocket socket, string text, CancellationToken cancellationToken = default) =>
            socket.SendAsync(Encoding.UTF8.GetBytes(text).AsMemory(), WebSocketMessageType.Text, true, cancellationToken).AsTask();

        public static async Task WaitForAsync(ClientWebSocket socket, string type)
        {
            var buffer = new byte[64 * 1024];
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer, timeout.Token);
                if (Encoding.UTF8.GetString(buffer, 0, result.Count).Contains($"\"type\":\"{type}\""))
                {
                    return;
                }
            }
        }

        public static async Task DrainAsync(ClientWebSocket socket) => await DrainAsync(socket, 64 * 1024);

        public static async Task DrainAsync(ClientWebSocket socket, int bufferBytes)
        {
            var buffer = new byte[bufferBytes];
            try
            {
                while (socket.State == WebSocketState.Open)
                {
                    await socket.ReceiveAsync(buffer, CancellationToken.None);
                }
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }
    }
}
