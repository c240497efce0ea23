using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace OrbitGrains.Tests.Pipeline;

/// <summary>Configuration and HTTP helpers for the Pipeline tests: short stages, generous limits unless a test says otherwise.</summary>
public static class PipelineHost
{
    public const string AdminToken = "pipeline-test-admin-token-0123456789abcdef";
    public const string JwtSecret = "pipeline-test-jwt-secret-0123456789abcdefghij";

    /// <summary>The optional gates of the default configuration.</summary>
    public static readonly string[] OptionalGates = ["outline", "research", "animatics", "assemble", "acceptance"];

    /// <param name="reviewOptionalGates">
    /// True: every optional gate gets a review window (review: true; its default auto_approve_after_s of 30 min and
    /// more), so a job stops at each gate and a test can decide it. False: the product's defaults, under which
    /// optional gates are passed without waiting.
    /// </param>
    public static Dictionary<string, string?> Configuration(string dataDir, string serviceId, int stageMs = 50, bool reviewOptionalGates = true)
    {
        var configuration = RunningHost.IsolatedConfiguration(dataDir, serviceId);
        configuration["ADMIN_TOKEN"] = AdminToken;
        configuration["CODEX_REMOTE_WEB_JWT_SECRET"] = JwtSecret;
        configuration["Operator:pipeline:stage_duration_ms"] = stageMs.ToString();
        configuration["Operator:security:rate_limiting:requests_per_minute"] = "100000";
        configuration["Operator:security:rate_limiting:burst_size"] = "100000";
        configuration["Operator:security:rate_limiting:jobs_per_minute"] = "100000";
        configuration["Operator:security:rate_limiting:stream_requests_per_minute"] = "100000";
        configuration["Operator:security:rate_limiting:stream_burst_size"] = "100000";
        if (reviewOptionalGates)
        {
            foreach (var stage in OptionalGates)
            {
                configuration[$"Operator:gates:{stage}:review"] = "true";
            }
        }

        return configuration;
    }

    public static async Task<RunningHost> StartAsync(Dictionary<string, string?> configuration)
    {
        var host = await RunningHost.StartFrontEndAsync(configuration);
        host.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        return host;
    }

    public static async Task<JsonElement> CreateJobAsync(this HttpClient http, string slug = "demo", string intent = "Explain grains in one minute")
    {
        var response = await http.PostAsJsonAsync("/api/v1/jobs", new { slug, intent, brief = "short", meta = new { source = "test" } });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public static async Task<JsonElement> GetJobAsync(this HttpClient http, string id)
    {
        var response = await http.GetAsync($"/api/v1/jobs/{id}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient http, string path, string json) =>
        http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    public static async Task<(HttpStatusCode Status, string Detail)> PostForDetailAsync(this HttpClient http, string path, string? json = null)
    {
        var response = json is null ? await http.PostAsync(path, null) : await http.PostJsonAsync(path, json);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var text = body.TryGetProperty("detail", out var detail) ? detail.GetString()! : body.GetProperty("message").GetString()!;
        return (response.StatusCode, text);
    }

    /// <summary>Polls the job until the condition holds; the job's JSON when it does.</summary>
    public static async Task<JsonElement> WaitForJobAsync(this HttpClient http, string id, Func<JsonElement, bool> condition, string what, int seconds = 20)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(seconds);
        while (true)
        {
            var job = await http.GetJobAsync(id);
            if (condition(job))
            {
                return job;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting until {what}; job is {job.GetProperty("status")} at {job.GetProperty("current_stage")}.");
            }

            await Task.Delay(25);
        }
    }

    public static Task<JsonElement> WaitForGateAsync(this HttpClient http, string id, string stage) =>
        http.WaitForJobAsync(id, job => job.GetProperty("status").GetString() == "needs_approval" && job.GetProperty("current_stage").GetString() == stage,
            $"job {id} waits at the {stage} gate");

    public static Task<JsonElement> WaitForStatusAsync(this HttpClient http, string id, string status) =>
        http.WaitForJobAsync(id, job => job.GetProperty("status").GetString() == status, $"job {id} is {status}");

    /// <summary>A stream ticket for path (a job's or the all-jobs ticket route).</summary>
    public static async Task<string> TicketAsync(this HttpClient http, string ticketPath)
    {
        var response = await http.PostAsync(ticketPath, null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("ticket").GetString()!;
    }

    public static async Task<JsonElement[]> EventsAsync(this HttpClient http, string id)
    {
        var body = await http.GetFromJsonAsync<JsonElement>($"/api/v1/jobs/{id}/events?limit=1000");
        return body.GetProperty("events").EnumerateArray().ToArray();
    }
}

/// <summary>A minimal Server-Sent Events reader over a real HTTP response.</summary>
public sealed class SseClient : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;
    private readonly CancellationTokenSource _cancel = new();

    private SseClient(HttpResponseMessage response, Stream stream)
    {
        _response = response;
        _reader = new StreamReader(stream, Encoding.UTF8);
    }

    public HttpResponseMessage Response => _response;

    public sealed record Frame(long Id, JsonElement Data)
    {
        public string Type => Data.GetProperty("type").GetString()!;
    }

    public static Task<SseClient> OpenAsync(HttpClient http, string jobId, long? lastEventId = null) =>
        OpenPathAsync(http, $"/api/v1/jobs/{jobId}/events/stream", lastEventId);

    /// <summary>Opens a stream at path (with the client's bearer unless withBearer is false); asserts 200.</summary>
    public static async Task<SseClient> OpenPathAsync(HttpClient http, string path, long? lastEventId = null, bool withBearer = true)
    {
        var response = await RequestAsync(http, path, lastEventId, withBearer);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            // Only a refusal has a body that ends; a stream's would be read forever.
            Assert.Fail($"{path}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        return new SseClient(response, await response.Content.ReadAsStreamAsync());
    }

    /// <summary>Starts a stream request and returns its response once the headers are in (the body is left unread).</summary>
    public static Task<HttpResponseMessage> RequestAsync(HttpClient http, string path, long? lastEventId = null, bool withBearer = true)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = withBearer ? http.DefaultRequestHeaders.Authorization : null;
        if (lastEventId is { } last)
        {
            request.Headers.Add("Last-Event-ID", last.ToString());
        }

        return http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    public async Task<Frame> NextAsync(TimeSpan? timeout = null)
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(_cancel.Token);
        cancel.CancelAfter(timeout ?? TimeSpan.FromSeconds(20));
        long? id = null;
        var data = new StringBuilder();
        while (true)
        {
            var line = await _reader.ReadLineAsync(cancel.Token) ?? throw new EndOfStreamException("The event stream ended.");
            if (line.Length == 0)
            {
                if (data.Length > 0)
                {
                    Assert.NotNull(id);
                    return new Frame(id!.Value, JsonDocument.Parse(data.ToString()).RootElement.Clone());
                }

                continue;
            }

            if (line.StartsWith("id: ", StringComparison.Ordinal))
            {
                id = long.Parse(line[4..]);
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data.Append(line[6..]);
            }
        }
    }

    /// <summary>Frames up to and including the first that matches, skipping heartbeats; fails after 60 s without one.</summary>
    public async Task<List<Frame>> ReadUntilAsync(Func<Frame, bool> last)
    {
        var frames = new List<Frame>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            // Heartbeats keep a stream alive forever: without a deadline a missing event would hang the test instead of failing it.
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"No matching frame within 60 s; got {string.Join(", ", frames.Select(f => f.Type))}.");
            }

            var frame = await NextAsync();
            if (frame.Type == "heartbeat")
            {
                continue;
            }

            frames.Add(frame);
            if (last(frame))
            {
                return frames;
            }
        }
    }

    /// <summary>Reads (and drops) frames until the server ends the stream; fails when it is still open after 30 s.</summary>
    public async Task EndAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                await NextAsync(TimeSpan.FromSeconds(30));
            }
            catch (EndOfStreamException)
            {
                return;
            }
        }

        throw new TimeoutException("The event stream was still open after 30 s.");
    }

    public async ValueTask DisposeAsync()
    {
        await _cancel.CancelAsync();
        _reader.Dispose();
        _response.Dispose();
        _cancel.Dispose();
    }
}
