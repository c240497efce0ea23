// Agent event ingestion load: 100 agents (by default) post POST /v1/events over real HTTP on loopback, each event
// counted once it is acknowledged with 201 (the product and the bare baseline both answer 201 only once the event is
// stored). Targets: the OrbitGrains product (signs up its users and creates their agents through the API) or the
// bare ASP.NET Core + SQLite baseline in bench/BareAgents. Modes: "max" (closed loop, a window of events in flight
// per agent: the highest acknowledged rate), "rate" (open loop at a fixed total rate; latency from each event's
// scheduled time, so a slow server cannot hide its queue), "command" (product only: an agent long-polls
// GET /v1/commands/listen while a person decides its inbox item; latency from the decision's response to the
// listen's answer). Every run is bounded and stops by itself.
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
for (var i = 0; i + 1 < args.Length; i += 2)
{
    map[args[i].TrimStart('-')] = args[i + 1];
}

string Get(string key, string fallback) => map.GetValueOrDefault(key, fallback);
int Int(string key, int fallback) => int.Parse(Get(key, fallback.ToString()));
var baseUri = new Uri(Get("base", "http://127.0.0.1:8080"));
var target = Get("target", "orbit");
var mode = Get("mode", "max");
var agentCount = Math.Clamp(Int("agents", 100), 1, 1000);
var users = Math.Clamp(Int("users", 10), 1, agentCount);
var seconds = Math.Clamp(Int("seconds", 10), 1, 600);
var window = Math.Clamp(Int("window", 4), 1, 64);
var rate = Math.Max(1, Int("rate", 500));
var rounds = Math.Clamp(Int("rounds", 200), 1, 100000);
if (!baseUri.IsLoopback)
{
    Console.Error.WriteLine("agents ingest runs only against loopback addresses.");
    return 2;
}

using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 512 }) { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(60) };
var (agents, userTokens) = target == "orbit" ? await PrepareOrbitAsync() : (Enumerable.Range(0, agentCount).Select(i => $"bare-agent-{i}").ToArray(), Array.Empty<string>());
Console.WriteLine($"target={target} mode={mode} agents={agents.Length} users={(target == "orbit" ? users : 0)} seconds={seconds}");

var body = Encoding.UTF8.GetBytes("""{"type":"tool_call","message":"called the search tool with a query of moderate length","cost":0.0015,"completedActions":["searched","read two pages"]}""");
switch (mode)
{
    case "max":
        await MaxAsync();
        break;
    case "rate":
        await RateAsync();
        break;
    case "command" when target == "orbit":
        await CommandAsync();
        break;
    default:
        Console.Error.WriteLine("mode is max, rate, or command (orbit only).");
        return 2;
}

return 0;

async Task<(string[] Agents, string[] Users)> PrepareOrbitAsync()
{
    var tokens = new string[users];
    for (var u = 0; u < users; u++)
    {
        var signup = await http.PostAsJsonAsync("/v1/auth/signup", new { email = $"bench-{Guid.NewGuid():N}"[..24] + "@example.com", password = "bench password 1" });
        signup.EnsureSuccessStatusCode();
        tokens[u] = (await signup.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("userToken").GetString()!;
    }

    var created = await Task.WhenAll(Enumerable.Range(0, agentCount).Select(async i =>
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/agents") { Content = JsonContent.Create(new { name = $"bench-{i}" }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens[i % users]);
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("agentToken").GetString()!;
    }));
    return (created, tokens);
}

async Task<(bool Ok, HttpStatusCode Status)> PostAsync(string agent, byte[] payload)
{
    using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/events") { Content = new ByteArrayContent(payload) };
    request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
    request.Headers.Add("X-Agent-Token", agent);
    using var response = await http.SendAsync(request);
    return (response.StatusCode == HttpStatusCode.Created, response.StatusCode);
}

async Task MaxAsync()
{
    var warmup = TimeSpan.FromSeconds(Math.Min(2, seconds / 4.0));
    var measureFrom = Stopwatch.GetTimestamp() + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
    using var stop = new CancellationTokenSource(warmup + TimeSpan.FromSeconds(seconds));
    long acked = 0, failed = 0;
    await Task.WhenAll(agents.SelectMany(agent => Enumerable.Range(0, window).Select(async _ =>
    {
        while (!stop.IsCancellationRequested)
        {
            var (ok, _) = await PostAsync(agent, body);
            if (Stopwatch.GetTimestamp() >= measureFrom)
            {
                Interlocked.Increment(ref ok ? ref acked : ref failed);
            }
        }
    })));
    Console.WriteLine($"acked={acked} rate={acked / (double)seconds:F0} events/s failed={failed} window/agent={window}");
}

async Task RateAsync()
{
    // Each agent sends at rate/agents per second on a fixed schedule, whether or not earlier events were answered.
    var perAgent = rate / (double)agents.Length;
    var interval = TimeSpan.FromSeconds(1 / perAgent);
    var latencies = new ConcurrentBag<double>();
    long failed = 0;
    var start = Stopwatch.GetTimestamp();
    var warmup = TimeSpan.FromSeconds(Math.Min(2, seconds / 4.0));
    var total = warmup + TimeSpan.FromSeconds(seconds);
    var inFlight = new ConcurrentBag<Task>();
    await Task.WhenAll(agents.Select((agent, index) => Task.Run(async () =>
    {
        // Spread the agents' schedules over one interval so they do not all fire at once.
        var next = TimeSpan.FromTicks(interval.Ticks * index / agents.Length);
        while (next < total)
        {
            var wait = next - Stopwatch.GetElapsedTime(start);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }

            var scheduled = next;
            inFlight.Add(Task.Run(async () =>
            {
                var (ok, _) = await PostAsync(agent, body);
                if (scheduled < warmup)
                {
                    return;
                }

                if (ok)
                {
                    latencies.Add((Stopwatch.GetElapsedTime(start) - scheduled).TotalMilliseconds);
                }
                else
                {
                    Interlocked.Increment(ref failed);
                }
            }));
            next += interval;
        }
    })));
    await Task.WhenAll(inFlight);
    var sorted = latencies.ToArray();
    Array.Sort(sorted);
    Console.WriteLine($"offered={rate} events/s acked={sorted.Length} rate={sorted.Length / (double)seconds:F0} events/s failed={failed}");
    Console.WriteLine($"latency_ms p50={Percentile(sorted, 0.50):F2} p99={Percentile(sorted, 0.99):F2} p99.9={Percentile(sorted, 0.999):F2} max={(sorted.Length > 0 ? sorted[^1] : 0):F2}");
}

async Task CommandAsync()
{
    var approval = Encoding.UTF8.GetBytes("""{"type":"approval_request","message":"may I deploy?","requiresApproval":true,"proposedAction":"deploy"}""");
    var latencies = new List<double>();
    using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
    for (var round = 0; round < rounds && !stop.IsCancellationRequested; round++)
    {
        var index = round % agents.Length;
        var agent = agents[index];
        using var ask = new HttpRequestMessage(HttpMethod.Post, "/v1/events") { Content = new ByteArrayContent(approval) };
        ask.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        ask.Headers.Add("X-Agent-Token", agent);
        using var asked = await http.SendAsync(ask);
        var taskId = (await asked.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("taskId").GetString()!;

        long answeredAt = 0;
        var listen = Task.Run(async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/commands/listen?timeout=20");
            request.Headers.Add("X-Agent-Token", agent);
            using var response = await http.SendAsync(request);
            answeredAt = Stopwatch.GetTimestamp();
            return await response.Content.ReadFromJsonAsync<JsonElement>();
        });

        // Give the listen time to be waiting (this measures waking a waiting agent, not answering a pending command).
        await Task.Delay(20);
        using var decide = new HttpRequestMessage(HttpMethod.Post, $"/v1/inbox/{taskId}/decision") { Content = JsonContent.Create(new { decision = "approved" }) };
        decide.Headers.Authorization = new AuthenticationHeaderValue("Bearer", userTokens[index % users]);
        using var decided = await http.SendAsync(decide);
        var decidedAt = Stopwatch.GetTimestamp();
        var commands = await listen;
        latencies.Add(Math.Max(0, Stopwatch.GetElapsedTime(decidedAt, answeredAt).TotalMilliseconds));
        foreach (var command in commands.EnumerateArray())
        {
            using var ack = new HttpRequestMessage(HttpMethod.Post, $"/v1/commands/{command.GetProperty("id").GetString()}/ack");
            ack.Headers.Add("X-Agent-Token", agent);
            (await http.SendAsync(ack)).Dispose();
        }
    }

    var sorted = latencies.ToArray();
    Array.Sort(sorted);
    Console.WriteLine($"command_to_listen rounds={sorted.Length} (ms after the decision's response) p50={Percentile(sorted, 0.50):F2} p99={Percentile(sorted, 0.99):F2} max={(sorted.Length > 0 ? sorted[^1] : 0):F2}");
}

static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
