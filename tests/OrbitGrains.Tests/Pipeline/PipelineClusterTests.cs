using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using OrbitGrains.Hosting;

namespace OrbitGrains.Tests.Pipeline;

/// <summary>Two front ends on one PostgreSQL: events reach streams on either node, and limits hold across both.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PipelineClusterTests(PostgresServer server)
{
    private static Dictionary<string, string?> NodeConfiguration(string dataDir, string connectionString, string serviceId)
    {
        var configuration = PipelineHost.Configuration(dataDir, serviceId);
        configuration["ORLEANS_CLUSTERING"] = "postgres";
        configuration["ConnectionStrings:Postgres"] = connectionString;
        return configuration;
    }

    private static async Task<(RunningHost A, RunningHost B)> StartTwoAsync(TempDirectory a, TempDirectory b, string database, string serviceId,
        Action<Dictionary<string, string?>>? adjust = null)
    {
        var first = NodeConfiguration(a.Path, database, serviceId);
        var second = NodeConfiguration(b.Path, database, serviceId);
        adjust?.Invoke(first);
        adjust?.Invoke(second);
        var nodeA = await PipelineHost.StartAsync(first);
        var nodeB = await PipelineHost.StartAsync(second);
        var readinessA = nodeA.Services.GetRequiredService<SiloReadiness>();
        var readinessB = nodeB.Services.GetRequiredService<SiloReadiness>();
        await Eventually.TrueAsync(() => readinessA.ActiveSilos == 2 && readinessB.ActiveSilos == 2, "both silos see a two-member cluster");
        return (nodeA, nodeB);
    }

    [Fact]
    public async Task A_stream_opened_on_the_other_front_end_sees_the_same_events_live()
    {
        using var dataA = new TempDirectory();
        using var dataB = new TempDirectory();
        var database = await server.CreateDatabaseAsync("pipesse");
        var (a, b) = await StartTwoAsync(dataA, dataB, database, "pipeline-sse");
        await using var nodeA = a;
        await using var nodeB = b;

        // The job lives where it was created (node A); node B only watches it.
        var id = (await nodeA.Http.CreateJobAsync("cross-silo")).GetProperty("id").GetString()!;
        var statistics = await nodeA.Grains.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        var host = statistics.Single(s => s.GrainId.Type.ToString() == "pipeline-job" && s.GrainId.Key.ToString() == id).SiloAddress.ToParsableString();
        Assert.Equal(nodeA.Services.GetRequiredService<SiloReadiness>().SiloAddress, host);
        await using var onA = await SseClient.OpenAsync(nodeA.Http, id);
        await using var onB = await SseClient.OpenAsync(nodeB.Http, id);
        Assert.Equal("connected", (await onA.NextAsync()).Type);
        Assert.Equal("connected", (await onB.NextAsync()).Type);
        var firstA = await onA.ReadUntilAsync(f => f.Type == "gate_pause");
        var firstB = await onB.ReadUntilAsync(f => f.Type == "gate_pause");

        // Decided through node B, run on node A, seen on both.
        Assert.Equal(HttpStatusCode.OK, (await nodeB.Http.PostForDetailAsync($"/api/v1/jobs/{id}/approve", """{"stage":"outline"}""")).Status);
        var liveA = await onA.ReadUntilAsync(f => f.Type == "gate_pause");
        var liveB = await onB.ReadUntilAsync(f => f.Type == "gate_pause");

        var idsA = firstA.Concat(liveA).Select(f => f.Id).ToList();
        var idsB = firstB.Concat(liveB).Select(f => f.Id).ToList();
        Assert.Equal(Enumerable.Range(1, idsA.Count).Select(i => (long)i), idsA);
        Assert.Equal(idsA, idsB);
        Assert.Equal(liveA.Select(f => f.Data.GetRawText()), liveB.Select(f => f.Data.GetRawText()));
        Assert.Equal("gate_approved", liveB[0].Type);

        var hubB = nodeB.Services.GetRequiredService<OrbitGrains.WebFrontend.Pipeline.PipelineEventHub>();
        Assert.Equal(1, hubB.WatchedJobs);
        await nodeA.Http.PostForDetailAsync($"/api/v1/jobs/{id}/cancel");
    }

    [Fact]
    public async Task The_all_jobs_stream_on_either_front_end_carries_every_jobs_events_in_one_order()
    {
        using var dataA = new TempDirectory();
        using var dataB = new TempDirectory();
        var database = await server.CreateDatabaseAsync("pipeall");
        var (a, b) = await StartTwoAsync(dataA, dataB, database, "pipeline-all");
        await using var nodeA = a;
        await using var nodeB = b;

        await using var onA = await SseClient.OpenPathAsync(nodeA.Http, "/api/v1/events/stream");
        await using var onB = await SseClient.OpenPathAsync(nodeB.Http, "/api/v1/events/stream");
        Assert.Equal("connected", (await onA.NextAsync()).Type);
        Assert.Equal("connected", (await onB.NextAsync()).Type);

        // One job created on each node: both streams see both, numbered by the one feed.
        var jobA = (await nodeA.Http.CreateJobAsync("all-on-a")).GetProperty("id").GetString()!;
        var jobB = (await nodeB.Http.CreateJobAsync("all-on-b")).GetProperty("id").GetString()!;
        var framesA = await ReadBothPausesAsync(onA, jobA, jobB);
        var framesB = await ReadBothPausesAsync(onB, jobA, jobB);
        Assert.Equal(framesA.Select(f => f.Id), framesB.Select(f => f.Id));
        Assert.Equal(framesA.Select(f => f.Data.GetRawText()), framesB.Select(f => f.Data.GetRawText()));
        Assert.Contains(framesA, f => f.Data.GetProperty("job_id").GetString() == jobA);
        Assert.Contains(framesA, f => f.Data.GetProperty("job_id").GetString() == jobB);
        await nodeA.Http.PostForDetailAsync($"/api/v1/jobs/{jobA}/cancel");
        await nodeA.Http.PostForDetailAsync($"/api/v1/jobs/{jobB}/cancel");
    }

    [Fact]
    public async Task When_a_node_leaves_the_all_jobs_stream_on_the_other_is_told_to_reload_at_once_and_goes_on_live()
    {
        using var dataA = new TempDirectory();
        using var dataB = new TempDirectory();
        var database = await server.CreateDatabaseAsync("pipeepoch");
        var (a, nodeB) = await StartTwoAsync(dataA, dataB, database, "pipeline-epoch");
        await using var _ = nodeB;

        await using var onB = await SseClient.OpenPathAsync(nodeB.Http, "/api/v1/events/stream");
        Assert.Equal("connected", (await onB.NextAsync()).Type);
        await using (var nodeA = a)
        {
            // Jobs on both nodes: the feed is active on one of them and node B's hub watches it.
            var jobA = (await nodeA.Http.CreateJobAsync("epoch-a")).GetProperty("id").GetString()!;
            var jobB = (await nodeB.Http.CreateJobAsync("epoch-b")).GetProperty("id").GetString()!;
            await ReadBothPausesAsync(onB, jobA, jobB);
            await nodeA.Http.PostForDetailAsync($"/api/v1/jobs/{jobA}/cancel");
            await nodeA.Http.PostForDetailAsync($"/api/v1/jobs/{jobB}/cancel");
            await onB.ReadUntilAsync(f => f.Type == "job_canceled" && f.Data.GetProperty("job_id").GetString() == jobB);
        }

        // Node A is gone, and with it whatever it held in memory (perhaps the feed, perhaps batches in flight). No job
        // sends anything now: the reset comes from the membership change itself, not from a later event.
        var frames = await onB.ReadUntilAsync(f => f.Type is "reset" or "gate_pause");
        Assert.Equal("reset", frames[^1].Type);

        // And the stream is live again on the feed's new epoch, without waiting for the hub's periodic renewal.
        var started = DateTime.UtcNow;
        var next = (await nodeB.Http.CreateJobAsync("epoch-after")).GetProperty("id").GetString()!;
        var live = await onB.ReadUntilAsync(f => f.Type == "gate_pause" && f.Data.GetProperty("job_id").GetString() == next);
        Assert.True(DateTime.UtcNow - started < OrbitGrains.WebFrontend.Pipeline.PipelineEventHub.RenewEvery,
            $"the new job's events reached the stream only after {DateTime.UtcNow - started}");
        Assert.True(live[^1].Id > frames[^1].Id);
        await nodeB.Http.PostForDetailAsync($"/api/v1/jobs/{next}/cancel");
    }

    private static async Task<List<SseClient.Frame>> ReadBothPausesAsync(SseClient stream, string first, string second)
    {
        var frames = new List<SseClient.Frame>();
        var paused = new HashSet<string>();
        while (paused.Count < 2)
        {
            var frame = (await stream.ReadUntilAsync(_ => true))[0];
            frames.Add(frame);
            if (frame.Type == "gate_pause" && frame.Data.GetProperty("job_id").GetString() is { } job && (job == first || job == second))
            {
                paused.Add(job);
            }
        }

        return frames;
    }

    [Fact]
    public async Task A_job_at_a_timed_gate_carries_on_after_the_node_that_hosted_it_leaves()
    {
        using var dataA = new TempDirectory();
        using var dataB = new TempDirectory();
        var database = await server.CreateDatabaseAsync("pipeloss");
        var (a, nodeB) = await StartTwoAsync(dataA, dataB, database, "pipeline-loss", configuration =>
        {
            configuration["Orleans:MinimumReminderPeriod"] = "00:00:01";
            configuration["Operator:gates:outline:auto_approve_after_s"] = "8";
        });
        await using var _ = nodeB;

        string id;
        DateTimeOffset openedAt;
        await using (var nodeA = a)
        {
            id = (await nodeA.Http.CreateJobAsync("node-loss")).GetProperty("id").GetString()!;
            openedAt = (await nodeA.Http.WaitForGateAsync(id, "outline")).GetProperty("gates")[0].GetProperty("opened_at").GetDateTimeOffset();
        }

        Assert.True(DateTimeOffset.UtcNow < openedAt.AddSeconds(8), "node A left before the gate's deadline");

        // Node A is gone with the job's activation. Nobody calls the job: node B's reminder service must pick it up.
        var management = nodeB.Grains.GetGrain<IManagementGrain>(0);
        await Eventually.TrueAsync(async () => (await management.GetActiveGrains(GrainType.Create("pipeline-job"))).Count > 0,
            "the job is reactivated on the surviving node", TimeSpan.FromSeconds(60));

        var job = await nodeB.Http.WaitForGateAsync(id, "research");
        Assert.Equal("timer", job.GetProperty("gates")[0].GetProperty("by").GetString());
        await nodeB.Http.PostForDetailAsync($"/api/v1/jobs/{id}/cancel");
    }

    [Fact]
    public async Task The_job_creation_limit_holds_across_front_ends()
    {
        using var dataA = new TempDirectory();
        using var dataB = new TempDirectory();
        var database = await server.CreateDatabaseAsync("pipelimit");
        var (a, b) = await StartTwoAsync(dataA, dataB, database, "pipeline-limit",
            configuration => configuration["Operator:security:rate_limiting:jobs_per_minute"] = "3");
        await using var nodeA = a;
        await using var nodeB = b;

        await nodeA.Http.CreateJobAsync("one");
        await nodeB.Http.CreateJobAsync("two");
        await nodeA.Http.CreateJobAsync("three");
        var fourth = await nodeB.Http.PostAsJsonAsync("/api/v1/jobs", new { slug = "four", intent = "over the limit" });
        Assert.Equal(HttpStatusCode.TooManyRequests, fourth.StatusCode);
        Assert.True(fourth.Headers.Contains("Retry-After"));
    }
}
