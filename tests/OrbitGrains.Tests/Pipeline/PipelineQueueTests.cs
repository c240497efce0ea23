using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace OrbitGrains.Tests.Pipeline;

/// <summary>pipeline.max_concurrent_jobs queues jobs (status "queued") and starts them in order as places free.</summary>
public sealed class PipelineQueueTests
{
    [Fact]
    public async Task Jobs_beyond_the_limit_are_queued_and_start_in_creation_order_as_places_free()
    {
        using var data = new TempDirectory();
        var configuration = PipelineHost.Configuration(data.Path, "queue");
        configuration["Operator:pipeline:max_concurrent_jobs"] = "2";
        await using var host = await PipelineHost.StartAsync(configuration);
        var http = host.Http;

        var ids = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            var created = await http.CreateJobAsync($"queued-{i}");
            ids.Add(created.GetProperty("id").GetString()!);
            if (i >= 2)
            {
                // Accepted (201), not refused: it waits its turn at the first stage, which has not started.
                Assert.Equal("queued", created.GetProperty("status").GetString());
                Assert.Equal("outline", created.GetProperty("stage").GetString());
                Assert.Equal("pending", created.GetProperty("stages")[0].GetProperty("status").GetString());
            }
        }

        await http.WaitForGateAsync(ids[0], "outline");
        await http.WaitForGateAsync(ids[1], "outline");
        var created3 = (await http.EventsAsync(ids[2])).Single();
        Assert.Equal("job_created", created3.GetProperty("type").GetString());
        Assert.Equal(1, created3.GetProperty("payload").GetProperty("queue_position").GetInt32());
        Assert.Equal(2, (await http.EventsAsync(ids[3])).Single().GetProperty("payload").GetProperty("queue_position").GetInt32());

        // A queued job's gates are not open; it can be canceled like any other (that test comes below).
        var (status, detail) = await http.PostForDetailAsync($"/api/v1/jobs/{ids[2]}/approve", """{"stage":"outline"}""");
        Assert.Equal((HttpStatusCode.Conflict, "Gate outline is not open yet"), (status, detail));

        // One place frees: the oldest queued job (the third) starts, the fourth keeps waiting.
        await http.PostForDetailAsync($"/api/v1/jobs/{ids[0]}/cancel");
        await http.WaitForGateAsync(ids[2], "outline");
        Assert.Equal("queued", (await http.GetJobAsync(ids[3])).GetProperty("status").GetString());

        // Finishing (not only canceling) frees a place too: reject and cancel the second.
        await http.PostForDetailAsync($"/api/v1/jobs/{ids[1]}/reject", """{"stage":"outline"}""");
        Assert.Equal("queued", (await http.GetJobAsync(ids[3])).GetProperty("status").GetString());
        await http.PostForDetailAsync($"/api/v1/jobs/{ids[1]}/cancel");
        var fourth = await http.WaitForGateAsync(ids[3], "outline");
        var types = (await http.EventsAsync(ids[3])).Select(e => e.GetProperty("type").GetString()).ToList();
        Assert.Equal(["job_created", "job_started", "stage_started"], types.Take(3));
        Assert.Equal("needs_approval", fourth.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Parallel_creations_never_run_more_jobs_than_the_limit_and_a_canceled_queued_job_gives_up_its_turn()
    {
        using var data = new TempDirectory();
        var configuration = PipelineHost.Configuration(data.Path, "queue-parallel");
        configuration["Operator:pipeline:max_concurrent_jobs"] = "2";
        await using var host = await PipelineHost.StartAsync(configuration);
        var http = host.Http;

        var created = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => http.CreateJobAsync($"parallel-{i}")));
        var ids = created.Select(job => job.GetProperty("id").GetString()!).ToList();
        Assert.Equal(6, ids.Distinct().Count());
        await Eventually.TrueAsync(async () => (await StatusesAsync(http, ids)).Count(s => s == "needs_approval") == 2, "two jobs reach their first gate");
        var statuses = await StatusesAsync(http, ids);
        Assert.Equal(4, statuses.Count(s => s == "queued"));

        // The queue order is the order the index admitted them in: its positions say which comes next.
        var waiting = ids.Where((_, i) => statuses[i] == "queued").ToList();
        var positions = await Task.WhenAll(waiting.Select(id => PositionAsync(http, id)));
        Assert.Equal([1, 2, 3, 4], positions.Order());
        var queued = waiting.Zip(positions).OrderBy(pair => pair.Second).Select(pair => pair.First).ToList();

        // The next in line gives up its turn: when a place frees, the one after it starts instead.
        Assert.Equal(HttpStatusCode.OK, (await http.PostForDetailAsync($"/api/v1/jobs/{queued[0]}/cancel")).Status);
        var running = ids.Where((_, i) => statuses[i] == "needs_approval").ToList();
        await http.PostForDetailAsync($"/api/v1/jobs/{running[0]}/cancel");
        await http.WaitForGateAsync(queued[1], "outline");
        Assert.Equal("canceled", (await http.GetJobAsync(queued[0])).GetProperty("status").GetString());
        Assert.Equal("queued", (await http.GetJobAsync(queued[2])).GetProperty("status").GetString());

        // Never more than two at once, however many places free together.
        await Task.WhenAll(running.Skip(1).Append(queued[1]).Select(id => http.PostForDetailAsync($"/api/v1/jobs/{id}/cancel")));
        await http.WaitForGateAsync(queued[2], "outline");
        await http.WaitForGateAsync(queued[3], "outline");
        statuses = await StatusesAsync(http, ids);
        Assert.Equal(2, statuses.Count(s => s is "running" or "needs_approval"));
    }

    private static async Task<string[]> StatusesAsync(HttpClient http, IEnumerable<string> ids) =>
        await Task.WhenAll(ids.Select(async id => (await http.GetJobAsync(id)).GetProperty("status").GetString()!));

    private static async Task<int> PositionAsync(HttpClient http, string id)
    {
        var body = await http.GetFromJsonAsync<JsonElement>($"/api/v1/jobs/{id}/events");
        return body.GetProperty("events")[0].GetProperty("payload").GetProperty("queue_position").GetInt32();
    }
}
