using System.Net.Http.Json;
using System.Text.Json;
using OrbitGrains.WebFrontend.Pipeline;

namespace OrbitGrains.Tests.Pipeline;

/// <summary>GET /api/v1/events/stream: every job's events on one stream, with its own ids and Last-Event-ID replay.</summary>
public sealed class PipelineAllJobsStreamTests(PipelineFixture fixture) : IClassFixture<PipelineFixture>
{
    private const string Path = "/api/v1/events/stream";

    private RunningHost Host => fixture.Host;

    private HttpClient Http => fixture.Http;

    [Fact]
    public async Task Every_jobs_events_arrive_live_numbered_in_one_sequence_and_as_each_job_stored_them()
    {
        await using var sse = await SseClient.OpenPathAsync(Http, Path);
        var connected = await sse.NextAsync();
        Assert.Equal("connected", connected.Type);
        Assert.Equal("all", connected.Data.GetProperty("scope").GetString());

        var a = (await Http.CreateJobAsync("all-a")).GetProperty("id").GetString()!;
        var b = (await Http.CreateJobAsync("all-b")).GetProperty("id").GetString()!;
        var frames = new List<SseClient.Frame>();
        var paused = new HashSet<string>();
        while (paused.Count < 2)
        {
            var frame = (await sse.ReadUntilAsync(_ => true))[0];
            frames.Add(frame);
            if (frame.Type == "gate_pause")
            {
                paused.Add(frame.Data.GetProperty("job_id").GetString()!);
            }
        }

        // One sequence across jobs: each frame's SSE id is its seq, one more than the one before.
        Assert.Equal(Enumerable.Range(0, frames.Count).Select(i => connected.Id + 1 + i), frames.Select(f => f.Id));
        Assert.All(frames, f => Assert.Equal(f.Id, f.Data.GetProperty("seq").GetInt64()));
        Assert.Equal(new[] { a, b }.Order(), paused.Order());

        // Per job, the frames are exactly that job's stored events, in order, with its own ids.
        foreach (var id in new[] { a, b })
        {
            var stored = await Http.EventsAsync(id);
            var mine = frames.Where(f => f.Data.GetProperty("job_id").GetString() == id).ToList();
            Assert.Equal(stored.Select(e => e.GetProperty("id").GetInt64()), mine.Select(f => f.Data.GetProperty("id").GetInt64()));
            Assert.Equal(stored.Select(e => e.GetProperty("type").GetString()), mine.Select(f => f.Type));
            await Http.PostForDetailAsync($"/api/v1/jobs/{id}/cancel");
        }
    }

    [Fact]
    public async Task A_reconnect_with_Last_Event_ID_replays_across_jobs_without_gaps_or_repeats()
    {
        var a = (await Http.CreateJobAsync("replay-a")).GetProperty("id").GetString()!;
        var b = (await Http.CreateJobAsync("replay-b")).GetProperty("id").GetString()!;
        await Http.WaitForGateAsync(a, "outline");
        await Http.WaitForGateAsync(b, "outline");

        long lastSeen;
        await using (var sse = await SseClient.OpenPathAsync(Http, Path))
        {
            lastSeen = (await sse.NextAsync()).Id;
        }

        // While nobody listens, both jobs move on.
        await Http.PostForDetailAsync($"/api/v1/jobs/{a}/approve", """{"stage":"outline"}""");
        await Http.PostForDetailAsync($"/api/v1/jobs/{b}/cancel");
        await Http.WaitForGateAsync(a, "research");

        await using var again = await SseClient.OpenPathAsync(Http, Path, lastSeen);
        var connected = await again.NextAsync();
        Assert.Equal(lastSeen, connected.Id);
        var replayed = new List<SseClient.Frame>();
        while (!replayed.Any(f => f.Type == "gate_pause"))
        {
            replayed.AddRange(await again.ReadUntilAsync(_ => true));
        }

        // Then live, with no seam.
        await Http.PostForDetailAsync($"/api/v1/jobs/{a}/cancel");
        var live = await again.ReadUntilAsync(f => f.Type == "job_canceled" && f.Data.GetProperty("job_id").GetString() == a);

        var all = replayed.Concat(live).ToList();
        Assert.Equal(Enumerable.Range(1, all.Count).Select(i => lastSeen + i), all.Select(f => f.Id));
        Assert.Equal("gate_approved", all.First(f => f.Data.GetProperty("job_id").GetString() == a).Type);
        Assert.Equal("job_canceled", all.Single(f => f.Data.GetProperty("job_id").GetString() == b).Type);
        Assert.Equal("job_canceled", live[^1].Type);
        Assert.Equal(a, live[^1].Data.GetProperty("job_id").GetString());
    }

    [Fact]
    public async Task An_id_the_feed_no_longer_holds_gets_a_reset_frame_and_then_live_events()
    {
        await using var sse = await SseClient.OpenPathAsync(Http, Path, lastEventId: 5);
        var connected = await sse.NextAsync();
        Assert.Equal("connected", connected.Type);
        var reset = await sse.NextAsync();
        Assert.Equal("reset", reset.Type);
        Assert.Equal(connected.Id, reset.Id);

        var id = (await Http.CreateJobAsync("after-reset")).GetProperty("id").GetString()!;
        var created = await sse.ReadUntilAsync(f => f.Type == "job_created");
        Assert.Equal(id, created[^1].Data.GetProperty("job_id").GetString());
        Assert.True(created[^1].Id > connected.Id);
        await Http.PostForDetailAsync($"/api/v1/jobs/{id}/cancel");
    }

    [Fact]
    public async Task Many_all_jobs_streams_on_a_front_end_share_one_feed_registration()
    {
        var hub = (PipelineEventHub)Host.Services.GetService(typeof(PipelineEventHub))!;
        var watchedBefore = hub.WatchedJobs;
        var streams = new List<SseClient>();
        try
        {
            for (var i = 0; i < 10; i++)
            {
                streams.Add(await SseClient.OpenPathAsync(Http, Path));
            }

            // Ten local streams, one topic (and so one registration with the feed); streams of earlier tests may still be leaving.
            Assert.True(hub.SubscribersOf(OrbitGrains.Pipeline.PipelineFeed.AllJobs) >= 10);
            Assert.True(hub.WatchedJobs <= watchedBefore + 1, $"{hub.WatchedJobs} sources watched, {watchedBefore} before");
            var id = (await Http.CreateJobAsync("shared-feed")).GetProperty("id").GetString()!;
            var results = await Task.WhenAll(streams.Select(s => s.ReadUntilAsync(f => f.Type == "gate_pause")));
            Assert.All(results, frames => Assert.Equal(results[0].Select(f => f.Id), frames.Select(f => f.Id)));
            Assert.All(results, frames => Assert.Equal(id, frames[^1].Data.GetProperty("job_id").GetString()));
            await Http.PostForDetailAsync($"/api/v1/jobs/{id}/cancel");
        }
        finally
        {
            foreach (var stream in streams)
            {
                await stream.DisposeAsync();
            }
        }
    }
}
