using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;

// Pipeline SSE fan-out bench: starts the product on loopback as a child process (or targets --url with --token),
// creates jobs whose gates approve themselves after a second, holds N SSE streams on them (and, with --all-jobs M,
// M streams of every job's events), and measures the time from each event's grain timestamp (its "ts") to its
// arrival here. Same machine, same clock. Stops by itself.
var options = BenchOptions.Parse(args);
Console.WriteLine($"pipeline-sse: {options.Streams} streams over {options.Jobs} jobs, {options.AllJobs} all-jobs streams, stage {options.StageMs} ms, " +
    $"at most {options.Seconds} s, " +
    (options.Url is not null ? $"target {options.Url}" : options.Postgres is not null ? "product on PostgreSQL" : "product embedded (SQLite)"));

// The machine may be shared: the load average says how much of it the run had.
Console.WriteLine($"load average at start: {File.ReadAllText("/proc/loadavg").Trim()}");
using var product = options.Url is null ? Product.Start(options) : null;
var baseUrl = options.Url ?? product!.BaseUrl;
var token = options.Token ?? product!.Token;

using var handler = new SocketsHttpHandler
{
    MaxConnectionsPerServer = int.MaxValue,
    PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
    ConnectTimeout = TimeSpan.FromSeconds(10),
};
using var http = new HttpClient(handler) { BaseAddress = new Uri(baseUrl), Timeout = Timeout.InfiniteTimeSpan };
http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
await Product.WaitHealthyAsync(http, TimeSpan.FromSeconds(60));

var jobs = new List<string>();
for (var i = 0; i < options.Jobs; i++)
{
    var response = await http.PostAsJsonAsync("/api/v1/jobs", new { slug = $"bench-{i}", intent = "fan-out bench" });
    response.EnsureSuccessStatusCode();
    jobs.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!);
}

var idleRss = product?.ResidentBytes() ?? 0;
using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(options.Seconds));
var recorder = new LatencyRecorder();
var opened = 0;
var failed = 0;
var openWatch = Stopwatch.StartNew();
var allJobsRecorder = new LatencyRecorder();
var streams = Enumerable.Range(0, options.Streams + options.AllJobs).Select(async i =>
{
    await Task.Yield();
    try
    {
        // The first N streams watch one job each (round robin); the rest watch every job at once.
        var (path, into) = i < options.Streams
            ? ($"/api/v1/jobs/{jobs[i % jobs.Count]}/events/stream", recorder)
            : ("/api/v1/events/stream", allJobsRecorder);
        await StreamReaderLoop.RunAsync(http, path, into, () => Interlocked.Increment(ref opened), stop.Token);
    }
    catch (OperationCanceledException) when (stop.IsCancellationRequested)
    {
    }
    catch (Exception ex)
    {
        if (Interlocked.Increment(ref failed) <= 3)
        {
            Console.WriteLine($"stream {i} failed: {ex.GetType().Name}: {ex.Message}");
        }
    }
}).ToArray();

await Product.WaitUntilAsync(() => Volatile.Read(ref opened) + Volatile.Read(ref failed) >= options.Streams + options.AllJobs, TimeSpan.FromSeconds(60));
Console.WriteLine($"opened {opened} streams in {openWatch.Elapsed.TotalSeconds:F1} s ({failed} failed)");

// Run until every job has completed (all events delivered) or the time is up.
var monitor = Task.Run(async () =>
{
    while (!stop.IsCancellationRequested)
    {
        await Task.Delay(1000, stop.Token).ContinueWith(_ => { });
        var statuses = await Task.WhenAll(jobs.Select(async id =>
            (await http.GetFromJsonAsync<JsonElement>($"/api/v1/jobs/{id}")).GetProperty("status").GetString()));
        if (statuses.All(s => s == "completed"))
        {
            await Task.Delay(500);
            await stop.CancelAsync();
        }
    }
});

var peakOpen = Volatile.Read(ref opened);
var serverRss = 0L;
while (!stop.IsCancellationRequested)
{
    await Task.Delay(500).ContinueWith(_ => { });
    serverRss = Math.Max(serverRss, product?.ResidentBytes() ?? 0);
}

await Task.WhenAll(streams);
await monitor.ContinueWith(_ => { });

var result = recorder.Summarise();
Console.WriteLine($"streams open: {peakOpen}, failed: {failed}, live events received: {result.Count} ({result.Count / Math.Max(1, options.Streams)} per job stream)");
Console.WriteLine(FormattableString.Invariant(
    $"latency grain->SSE frame: p50 {result.P50:F1} ms, p99 {result.P99:F1} ms, p99.9 {result.P999:F1} ms, max {result.Max:F1} ms"));
if (options.AllJobs > 0)
{
    var all = allJobsRecorder.Summarise();
    Console.WriteLine(FormattableString.Invariant(
        $"all-jobs streams: {all.Count} live events ({all.Count / options.AllJobs} per stream), latency p50 {all.P50:F1} ms, p99 {all.P99:F1} ms, p99.9 {all.P999:F1} ms, max {all.Max:F1} ms"));
}
if (product is not null)
{
    Console.WriteLine(FormattableString.Invariant(
        $"product memory: {idleRss / 1048576.0:F0} MiB resident with the jobs and no stream, max {serverRss / 1048576.0:F0} MiB during the run, peak (VmHWM) {product.PeakResidentBytes() / 1048576.0:F0} MiB"));
}

Console.WriteLine($"load average at end: {File.ReadAllText("/proc/loadavg").Trim()}");
foreach (var line in recorder.ByType())
{
    Console.WriteLine(line);
}

Console.WriteLine(result.P99 <= 50 ? "target p99 <= 50 ms: met" : "target p99 <= 50 ms: MISSED");
return 0;

sealed record BenchOptions(int Streams, int Jobs, int StageMs, int Seconds, string? Url, string? Token, string? ProductDll, string? Postgres, int AllJobs)
{
    public static BenchOptions Parse(string[] args)
    {
        string? Value(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        int Number(string name, int fallback) => Value(name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;
        var url = Value("--url");
        if (url is not null && !(url.StartsWith("http://127.0.0.1", StringComparison.Ordinal) || url.StartsWith("http://localhost", StringComparison.Ordinal)))
        {
            throw new ArgumentException("--url must be a loopback address: this bench only targets 127.0.0.1.");
        }

        return new BenchOptions(Number("--streams", 1000), Number("--jobs", 50), Number("--stage-ms", 1000), Number("--seconds", 90),
            url, Value("--token"), Value("--product"), Value("--postgres"), Number("--all-jobs", 0));
    }
}

static class StreamReaderLoop
{
    private static string Field(string line, string key)
    {
        var start = line.IndexOf(key, StringComparison.Ordinal) + key.Length;
        return line[start..line.IndexOf('"', start)];
    }

    public static async Task RunAsync(HttpClient http, string path, LatencyRecorder recorder, Action onOpen, CancellationToken cancel)
    {
        using var response = await http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, cancel);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync(cancel);
        using var reader = new StreamReader(body);
        DateTimeOffset? connectedAt = null;
        while (!cancel.IsCancellationRequested)
        {
            var line = await reader.ReadLineAsync(cancel);
            if (line is null)
            {
                throw new EndOfStreamException("stream closed by the server");
            }

            if (!line.StartsWith("data: ", StringComparison.Ordinal))
            {
                continue;
            }

            var received = DateTimeOffset.UtcNow;
            // Two fields by position instead of a full parse: the client shares the machine with the product.
            var type = Field(line, "\"type\":\"");
            if (type == "connected")
            {
                connectedAt = received;
                onOpen();
                continue;
            }

            if (type == "heartbeat" || connectedAt is null)
            {
                continue;
            }

            // Replayed events happened before this client connected; only live delivery is measured.
            var ts = DateTimeOffset.Parse(Field(line, "\"ts\":\""), CultureInfo.InvariantCulture);
            if (ts >= connectedAt)
            {
                recorder.Add((received - ts).TotalMilliseconds, type!);
            }
        }
    }
}

sealed class LatencyRecorder
{
    private readonly List<double> _samples = [];
    private readonly Dictionary<string, List<double>> _byType = [];

    public void Add(double milliseconds, string type)
    {
        lock (_samples)
        {
            _samples.Add(milliseconds);
            if (!_byType.TryGetValue(type, out var list))
            {
                _byType[type] = list = [];
            }

            list.Add(milliseconds);
        }
    }

    public IEnumerable<string> ByType()
    {
        lock (_samples)
        {
            foreach (var (type, list) in _byType.OrderBy(p => p.Key))
            {
                list.Sort();
                yield return FormattableString.Invariant($"  {type,-20} n={list.Count,6} p50 {list[list.Count / 2],7:F1} ms  p99 {list[Math.Min(list.Count - 1, (int)(list.Count * 0.99))],7:F1} ms");
            }
        }
    }

    public (int Count, double P50, double P99, double P999, double Max) Summarise()
    {
        lock (_samples)
        {
            if (_samples.Count == 0)
            {
                return (0, double.NaN, double.NaN, double.NaN, double.NaN);
            }

            _samples.Sort();
            double At(double q) => _samples[Math.Min(_samples.Count - 1, (int)Math.Ceiling(q * _samples.Count) - 1)];
            return (_samples.Count, At(0.50), At(0.99), At(0.999), _samples[^1]);
        }
    }
}

sealed class Product : IDisposable
{
    private readonly Process _process;
    private readonly string _dataDir;

    private Product(Process process, string baseUrl, string token, string dataDir)
    {
        _process = process;
        BaseUrl = baseUrl;
        Token = token;
        _dataDir = dataDir;
    }

    public string BaseUrl { get; }
    public string Token { get; }

    public static Product Start(BenchOptions options)
    {
        var dll = options.ProductDll ?? Path.Combine(AppContext.BaseDirectory, "OrbitGrains.WebFrontend.dll");
        var port = FreePort();
        var dataDir = Path.Combine(Path.GetTempPath(), $"pipeline-sse-bench-{Guid.NewGuid():N}");
        var token = Convert.ToHexString(RandomNumberGenerator.GetBytes(24));
        var info = new ProcessStartInfo("dotnet", $"\"{dll}\"") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        var environment = new Dictionary<string, string>
        {
            ["DATA_DIR"] = dataDir,
            ["PORT"] = port.ToString(CultureInfo.InvariantCulture),
            ["HOST"] = "127.0.0.1",
            ["ORLEANS_SILO_PORT"] = FreePort().ToString(CultureInfo.InvariantCulture),
            ["ORLEANS_GATEWAY_PORT"] = FreePort().ToString(CultureInfo.InvariantCulture),
            ["ADMIN_TOKEN"] = token,
            ["CODEX_REMOTE_WEB_JWT_SECRET"] = Convert.ToHexString(RandomNumberGenerator.GetBytes(32)),
            ["OPERATOR__pipeline__stage_duration_ms"] = options.StageMs.ToString(CultureInfo.InvariantCulture),
            ["OPERATOR__security__rate_limiting__requests_per_minute"] = "1000000",
            ["OPERATOR__security__rate_limiting__burst_size"] = "1000000",
            ["OPERATOR__security__rate_limiting__jobs_per_minute"] = "1000000",
            ["OPERATOR__security__rate_limiting__stream_requests_per_minute"] = "1000000",
            ["OPERATOR__security__rate_limiting__stream_burst_size"] = "1000000",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        if (options.Postgres is { } connectionString)
        {
            // Cluster mode on one node; a fresh service id per run keeps runs apart in a shared database.
            environment["ORLEANS_CLUSTERING"] = "postgres";
            environment["ConnectionStrings__Postgres"] = connectionString;
            environment["ENCRYPTION_KEY"] = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));
            environment["ORLEANS_SERVICE_ID"] = environment["ORLEANS_CLUSTER_ID"] = $"bench-{Guid.NewGuid():N}";
        }

        foreach (var stage in new[] { "outline", "research", "script", "storyboard", "assets", "animatics", "audio", "assemble", "acceptance" })
        {
            // Every gate waits a second for review and then approves itself, so jobs run to the end with no one clicking.
            environment[$"OPERATOR__gates__{stage}__required"] = "false";
            environment[$"OPERATOR__gates__{stage}__review"] = "true";
            environment[$"OPERATOR__gates__{stage}__auto_approve_after_s"] = "1";
        }

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, e) => { if (e.Data?.Contains("fail", StringComparison.OrdinalIgnoreCase) == true) Console.WriteLine($"product: {e.Data}"); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.WriteLine($"product: {e.Data}"); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new Product(process, $"http://127.0.0.1:{port}", token, dataDir);
    }

    public long ResidentBytes() => ReadStatus("VmRSS:");

    public long PeakResidentBytes() => ReadStatus("VmHWM:");

    private long ReadStatus(string key)
    {
        try
        {
            var line = File.ReadLines($"/proc/{_process.Id}/status").FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line[key.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    public static async Task WaitHealthyAsync(HttpClient http, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                if ((await http.GetAsync("/api/v1/healthz")).StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("the product did not become healthy");
            }

            await Task.Delay(250);
        }
    }

    public static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }

        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
