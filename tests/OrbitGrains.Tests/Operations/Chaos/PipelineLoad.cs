using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;

namespace OrbitGrains.Tests.Operations.Chaos;

/// <summary>
/// Operator console jobs: one created every 1.5 s; each stops at the `script` gate until this load approves it, then
/// passes three gates that the timer approves after <see cref="AutoApproveSeconds"/> (the job timers under test).
/// Acknowledged writes: every 201 job and every 200 gate decision must be readable afterwards, and every job must
/// finish.
/// </summary>
public sealed class PipelineLoad(ChaosContext context)
{
    public const int AutoApproveSeconds = 2;
    public static readonly string[] TimedGates = ["storyboard", "assets", "audio"];

    private readonly ConcurrentDictionary<string, double> _jobs = new();
    private readonly ConcurrentDictionary<string, double> _approved = new();
    private readonly ConcurrentDictionary<string, byte> _finished = new();

    /// <summary>Settings for every node: short stages, the timed gates, no rate limit (the load is one address), a 5 s watchdog.</summary>
    public static Dictionary<string, string> Settings()
    {
        var settings = new Dictionary<string, string>
        {
            ["OPERATOR__security__rate_limiting__enabled"] = "false",
            ["OPERATOR__pipeline__stage_duration_ms"] = "300",
            // The watchdog reminder is what finds a job again after its silo died.
            ["ORLEANS_MINIMUM_REMINDER_PERIOD"] = "00:00:05",
        };
        foreach (var gate in TimedGates)
        {
            settings[$"OPERATOR__gates__{gate}__auto_approve_after_s"] = AutoApproveSeconds.ToString();
        }

        return settings;
    }

    public int Jobs => _jobs.Count;

    public int Approvals => _approved.Count;

    public int JobsBetween(double from, double to) => _jobs.Values.Count(at => at >= from && at <= to);

    public async Task CreateAsync(CancellationToken stop)
    {
        var front = 0;
        var n = 0;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                using var response = await context.Http(front++).SendAsync(context.Admin(HttpMethod.Post, "/api/v1/jobs", new { slug = $"chaos-{++n}", intent = "chaos" }));
                if (response.StatusCode == HttpStatusCode.Created)
                {
                    var job = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
                    _jobs[(string)job["id"]!] = context.Now;
                }
            }
            catch (Exception ex) when (ChaosContext.IsUnanswered(ex))
            {
            }

            await AccountsLoad.Pace(TimeSpan.FromMilliseconds(1500), stop);
        }
    }

    /// <summary>Polls the unfinished jobs and approves each one's `script` gate once it is open.</summary>
    public async Task DriveAsync(CancellationToken stop)
    {
        var front = 1;
        while (!stop.IsCancellationRequested)
        {
            foreach (var id in _jobs.Keys.Where(id => !_finished.ContainsKey(id)).ToList())
            {
                try
                {
                    using var response = await context.Http(front++).SendAsync(context.Admin(HttpMethod.Get, $"/api/v1/jobs/{id}"));
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        continue;
                    }

                    var job = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
                    var status = (string?)job["status"];
                    if (status is "completed" or "failed" or "canceled")
                    {
                        _finished[id] = 0;
                    }
                    else if (status == "needs_approval" && (string?)job["current_stage"] == "script" && !_approved.ContainsKey(id))
                    {
                        using var approve = await context.Http(front++).SendAsync(context.Admin(HttpMethod.Post, $"/api/v1/jobs/{id}/approve", new { stage = "script", @operator = "chaos" }));
                        if (approve.StatusCode == HttpStatusCode.OK)
                        {
                            _approved[id] = context.Now;
                        }
                    }
                }
                catch (Exception ex) when (ChaosContext.IsUnanswered(ex))
                {
                }
            }

            await AccountsLoad.Pace(TimeSpan.FromMilliseconds(500), stop);
        }
    }

    /// <summary>
    /// After the run, once every job has had time to finish: acknowledged jobs and decisions that cannot be read, jobs
    /// not completed, and how late each timed gate's timer fired (seconds past its due time).
    /// </summary>
    public async Task<(List<string> Lost, List<string> Unfinished, List<double> Lateness)> CheckAsync(TimeSpan finishWithin)
    {
        var lost = new List<string>();
        var unfinished = new List<string>();
        var lateness = new List<double>();
        var deadline = DateTime.UtcNow + finishWithin;
        foreach (var (id, createdAt) in _jobs.OrderBy(j => j.Value))
        {
            JsonObject? job = null;
            // Polls until the job finished or the common deadline passed: jobs the chaos delayed get the time they need.
            while (true)
            {
                using var response = await context.ReadAsync(0, () => context.Admin(HttpMethod.Get, $"/api/v1/jobs/{id}"));
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    lost.Add($"job {id} created at {createdAt:F1}s: GET {(int)response.StatusCode}");
                    break;
                }

                job = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
                if ((string?)job["status"] is "completed" or "failed" or "canceled" || DateTime.UtcNow > deadline)
                {
                    break;
                }

                // A job created just before the load stopped still waits for its person at the script gate.
                if ((string?)job["status"] == "needs_approval" && (string?)job["current_stage"] == "script" && !_approved.ContainsKey(id))
                {
                    using var approve = await context.ReadAsync(1, () => context.Admin(HttpMethod.Post, $"/api/v1/jobs/{id}/approve", new { stage = "script", @operator = "chaos" }));
                    if (approve.StatusCode == HttpStatusCode.OK)
                    {
                        _approved[id] = context.Now;
                    }
                }

                await Task.Delay(500);
            }

            if (job is null)
            {
                continue;
            }

            if ((string?)job["status"] != "completed")
            {
                unfinished.Add($"job {id} created at {createdAt:F1}s: {(string?)job["status"]} at {(string?)job["current_stage"]} {(string?)job["error"]}");
            }

            if (_approved.TryGetValue(id, out var approvedAt))
            {
                using var decision = await context.ReadAsync(1, () => context.Admin(HttpMethod.Get, $"/api/v1/jobs/{id}/gates/script/decision"));
                var body = await decision.Content.ReadAsStringAsync();
                if (decision.StatusCode != HttpStatusCode.OK || JsonNode.Parse(body)!["approved"]?.GetValue<bool>() != true)
                {
                    lost.Add($"approval of job {id} acknowledged at {approvedAt:F1}s: {(int)decision.StatusCode} {body}");
                }
            }

            lateness.AddRange(await TimerLatenessAsync(id));
        }

        return (lost, unfinished, lateness);
    }

    /// <summary>Jobs acknowledged from the given instant of the run on.</summary>
    public IEnumerable<string> JobsSince(double from) => _jobs.Where(j => j.Value >= from).Select(j => j.Key);

    /// <summary>The ids of a job's stored events (`GET /api/v1/jobs/{id}/events`).</summary>
    public static async Task<List<long>> StoredEventIdsAsync(ChaosContext context, string id) =>
        (await StoredEventsAsync(context, id)).Select(e => (long)e["id"]!).ToList();

    private static async Task<List<JsonObject>> StoredEventsAsync(ChaosContext context, string id)
    {
        using var response = await context.ReadAsync(0, () => context.Admin(HttpMethod.Get, $"/api/v1/jobs/{id}/events?limit=1000"));
        var node = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        return (node as JsonArray ?? node["events"]!.AsArray()).Select(e => e!.AsObject()).ToList();
    }

    private async Task<IEnumerable<double>> TimerLatenessAsync(string id)
    {
        var events = await StoredEventsAsync(context, id);
        var late = new List<double>();
        foreach (var gate in TimedGates)
        {
            var opened = events.LastOrDefault(e => (string?)e["type"] == "gate_pause" && (string?)e["stage"] == gate);
            var fired = events.LastOrDefault(e => (string?)e["type"] == "gate_auto_approved" && (string?)e["stage"] == gate);
            if (opened is not null && fired is not null)
            {
                late.Add(((DateTimeOffset)fired["ts"]! - (DateTimeOffset)opened["ts"]!).TotalSeconds - AutoApproveSeconds);
            }
        }

        return late;
    }
}
