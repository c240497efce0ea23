using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace OrbitGrains.Tests.Operations.Chaos;

/// <summary>
/// An operator console's list view: the all-jobs event stream (`GET /api/v1/events/stream`, SSE), reopened on the
/// other front end with Last-Event-ID whenever it ends. After a `reset` (the feed no longer holds what came after the
/// given id) it reloads every job's stored events, as the documented client does. Afterwards every stored event of
/// every job created while it watched must have reached it, live, replayed or reloaded.
/// </summary>
public sealed class PipelineStreamLoad(ChaosContext context, Connections connections)
{
    private const string Who = "pipeline-stream";
    private readonly ConcurrentDictionary<(string Job, long Id), int> _seen = new();
    private readonly TaskCompletionSource _watching = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _resets;
    private int _reconnects;

    /// <summary>Completes when the stream first answered `connected`: jobs created from then on are watched.</summary>
    public Task Watching => _watching.Task;

    public int Resets => _resets;

    public int Reconnects => _reconnects;

    /// <summary>Events the stream brought more than once (after a reset the feed numbers a job's history again; harmless to a console that applies events by job and id; counted, not failed).</summary>
    public int Repeats => _seen.Values.Count(n => n > 1);

    public async Task RunAsync(CancellationToken stop)
    {
        connections.Starting(Who);
        string? lastId = null;
        var front = 0;
        while (!stop.IsCancellationRequested)
        {
            string cause;
            try
            {
                // No client timeout: the stream lives until the node ends it; a silent stream is caught by the heartbeat check.
                using var http = new HttpClient { BaseAddress = context.FrontEnd(front), Timeout = Timeout.InfiniteTimeSpan };
                using var request = context.Admin(HttpMethod.Get, "/api/v1/events/stream");
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
                if (lastId is not null)
                {
                    request.Headers.Add("Last-Event-ID", lastId);
                }

                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stop);
                if (!response.IsSuccessStatusCode)
                {
                    throw new HttpRequestException($"stream answered {(int)response.StatusCode}");
                }

                using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(stop));
                string? id = null;
                while (!stop.IsCancellationRequested)
                {
                    // Heartbeats come every 5 s: three missed means the node is gone.
                    using var silent = CancellationTokenSource.CreateLinkedTokenSource(stop);
                    silent.CancelAfter(TimeSpan.FromSeconds(15));
                    var line = await reader.ReadLineAsync(silent.Token);
                    if (line is null)
                    {
                        break;
                    }

                    if (line.StartsWith("id:", StringComparison.Ordinal))
                    {
                        id = line[3..].Trim();
                    }
                    else if (line.StartsWith("data:", StringComparison.Ordinal))
                    {
                        await OnDataAsync(JsonNode.Parse(line[5..])!.AsObject(), stop);
                    }
                    else if (line.Length == 0 && id is not null)
                    {
                        lastId = id;
                    }
                }

                cause = "stream ended";
            }
            catch (Exception ex)
            {
                cause = ex.GetType().Name;
            }

            if (!stop.IsCancellationRequested)
            {
                connections.Lost(Who, cause);
                Interlocked.Increment(ref _reconnects);
                front++;
                await AccountsLoad.Pace(TimeSpan.FromMilliseconds(200), stop);
            }
        }
    }

    private async Task OnDataAsync(JsonObject data, CancellationToken stop)
    {
        switch ((string?)data["type"])
        {
            case "connected":
                connections.Back(Who);
                _watching.TrySetResult();
                return;
            case "heartbeat":
                return;
            case "reset":
                Interlocked.Increment(ref _resets);
                await ReloadAsync(stop);
                return;
        }

        if ((string?)data["job_id"] is { } job && data["id"] is { } id)
        {
            _seen.AddOrUpdate((job, (long)id), 1, (_, n) => n + 1);
        }
    }

    /// <summary>What a console does on `reset`: load the current state, here every job's stored events.</summary>
    private async Task ReloadAsync(CancellationToken stop)
    {
        for (var offset = 0; ; offset += 200)
        {
            using var list = await context.ReadAsync(0, () => context.Admin(HttpMethod.Get, $"/api/v1/jobs?limit=200&offset={offset}"));
            var jobs = JsonNode.Parse(await list.Content.ReadAsStringAsync(stop))!.AsArray();
            foreach (var job in jobs)
            {
                var jobId = (string)job!["id"]!;
                foreach (var id in await PipelineLoad.StoredEventIdsAsync(context, jobId))
                {
                    // Reloaded, not streamed: an event the stream brings later is not a repeat.
                    _seen.TryAdd((jobId, id), 0);
                }
            }

            if (jobs.Count < 200)
            {
                return;
            }
        }
    }

    /// <summary>Stored events of the given jobs that never reached the stream.</summary>
    public async Task<List<string>> MissedAsync(IEnumerable<string> jobs)
    {
        var missed = new List<string>();
        foreach (var job in jobs)
        {
            var ids = await PipelineLoad.StoredEventIdsAsync(context, job);
            var absent = ids.Where(id => !_seen.ContainsKey((job, id))).ToList();
            if (absent.Count > 0)
            {
                missed.Add($"job {job}: events {string.Join(',', absent)} of {ids.Count} never reached the all-jobs stream");
            }
        }

        return missed;
    }
}
