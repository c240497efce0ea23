using System.Net.Http.Json;
using System.Text.Json;

namespace OrbitGrains.Tests.Pipeline;

/// <summary>The live stream over real HTTP against the real product.</summary>
public sealed class PipelineSseTests(PipelineFixture fixture) : IClassFixture<PipelineFixture>
{
    private HttpClient Http => fixture.Http;

    [Fact]
    public async Task A_client_sees_connected_then_every_event_in_order_as_it_happens()
    {
        var id = (await Http.CreateJobAsync("sse-live")).GetProperty("id").GetString()!;
        await using var sse = await SseClient.OpenAsync(Http, id);
        Assert.Equal("text/event-stream", sse.Response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("no-cache", sse.Response.Headers.CacheControl?.ToString());

        var connected = await sse.NextAsync();
        Assert.Equal("connected", connected.Type);
        Assert.Equal(0, connected.Id);

        var upToGate = await sse.ReadUntilAsync(f => f.Type == "gate_pause");
        // Approve while watching: these events can only arrive live.
        var approvedAt = DateTimeOffset.UtcNow;
        await Http.PostForDetailAsync($"/api/v1/jobs/{id}/approve", """{"stage":"outline"}""");
        var live = await sse.ReadUntilAsync(f => f.Type == "gate_pause");

        var frames = upToGate.Concat(live).ToList();
        Assert.Equal(Enumerable.Range(1, frames.Count).Select(i => (long)i), frames.Select(f => f.Id));
        Assert.All(frames, f => Assert.Equal(f.Id, f.Data.GetProperty("id").GetInt64()));
        Assert.Equal(["gate_approved", "stage_started", "artifact_created", "stage_completed", "gate_pause"], live.Select(f => f.Type));
        Assert.True(live[0].Data.GetProperty("ts").GetDateTimeOffset() >= approvedAt.AddSeconds(-1));

        // What the stream said is exactly what the job stored.
        var stored = await Http.EventsAsync(id);
        Assert.Equal(stored.Select(e => e.GetRawText()), frames.Select(f => f.Data.GetRawText()));
        await Http.PostForDetailAsync($"/api/v1/jobs/{id}/cancel");
    }

    [Fact]
    public async Task A_reconnect_with_Last_Event_ID_misses_nothing_and_repeats_nothing()
    {
        var id = (await Http.CreateJobAsync("sse-reconnect")).GetProperty("id").GetString()!;
        List<SseClient.Frame> first;
        await using (var sse = await SseClient.OpenAsync(Http, id))
        {
            Assert.Equal("connected", (await sse.NextAsync()).Type);
            first = await sse.ReadUntilAsync(f => f.Type == "gate_pause");
        }

        // While nobody listens, the job moves on through a whole stage.
        await Http.PostForDetailAsync($"/api/v1/jobs/{id}/approve", """{"stage":"outline"}""");
        await Http.WaitForGateAsync(id, "research");

        var lastSeen = first[^1].Id;
        await using var again = await SseClient.OpenAsync(Http, id, lastSeen);
        var connected = await again.NextAsync();
        Assert.Equal("connected", connected.Type);
        Assert.Equal(lastSeen, connected.Id);

        // Replay then live, with no seam: approve research after the replay has begun.
        var replayed = await again.ReadUntilAsync(f => f.Type == "gate_pause");
        await Http.PostForDetailAsync($"/api/v1/jobs/{id}/approve", """{"stage":"research"}""");
        var live = await again.ReadUntilAsync(f => f.Type == "gate_pause");

        var all = first.Concat(replayed).Concat(live).Select(f => f.Id).ToList();
        Assert.Equal(Enumerable.Range(1, all.Count).Select(i => (long)i), all);
        Assert.Equal("gate_approved", replayed[0].Type);
        Assert.Equal("script", live[^1].Data.GetProperty("stage").GetString());
        await Http.PostForDetailAsync($"/api/v1/jobs/{id}/cancel");
    }

    [Fact]
    public async Task Heartbeats_keep_the_stream_alive_and_carry_the_last_event_id()
    {
        var id = (await Http.CreateJobAsync("sse-heartbeat")).GetProperty("id").GetString()!;
        await Http.WaitForGateAsync(id, "outline");
        await using var sse = await SseClient.OpenAsync(Http, id);
        Assert.Equal("connected", (await sse.NextAsync()).Type);
        var replay = await sse.ReadUntilAsync(f => f.Type == "gate_pause");

        // The fixture configures a 0.5 s heartbeat (5 s by default).
        var heartbeat = await sse.NextAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("heartbeat", heartbeat.Type);
        Assert.Equal(replay[^1].Id, heartbeat.Id);
        await Http.PostForDetailAsync($"/api/v1/jobs/{id}/cancel");
    }

    [Fact]
    public async Task Many_streams_on_one_job_share_one_registration_and_all_see_the_events()
    {
        var id = (await Http.CreateJobAsync("sse-many")).GetProperty("id").GetString()!;
        var hub = fixture.Host.Services.GetService(typeof(OrbitGrains.WebFrontend.Pipeline.PipelineEventHub)) as OrbitGrains.WebFrontend.Pipeline.PipelineEventHub;
        var streams = new List<SseClient>();
        try
        {
            for (var i = 0; i < 20; i++)
            {
                streams.Add(await SseClient.OpenAsync(Http, id));
            }

            var results = await Task.WhenAll(streams.Select(s => s.ReadUntilAsync(f => f.Type == "gate_pause")));
            Assert.All(results, frames => Assert.Equal(results[0].Select(f => f.Id), frames.Select(f => f.Id)));
            Assert.True(hub!.ActiveSubscribers >= 20);
        }
        finally
        {
            foreach (var stream in streams)
            {
                await stream.DisposeAsync();
            }
        }

        await Http.PostForDetailAsync($"/api/v1/jobs/{id}/cancel");
    }

    [Fact]
    public async Task A_job_keeps_max_events_per_job_and_a_reconnect_from_before_them_gets_a_reset()
    {
        using var data = new TempDirectory();
        var configuration = PipelineHost.Configuration(data.Path, "sse-retention", reviewOptionalGates: false);
        configuration["Operator:storage:max_events_per_job"] = "10";
        await using var host = await PipelineHost.StartAsync(configuration);

        // Through two passed gates to the script gate: 15 events, of which the job keeps the newest 10.
        var id = (await host.Http.CreateJobAsync("retention")).GetProperty("id").GetString()!;
        var job = await host.Http.WaitForGateAsync(id, "script");
        var kept = await host.Http.EventsAsync(id);
        Assert.Equal(10, kept.Length);
        Assert.Equal(job.GetProperty("last_event_id").GetInt64(), kept[^1].GetProperty("id").GetInt64());
        var oldest = kept[0].GetProperty("id").GetInt64();
        Assert.True(oldest > 1);

        // From the oldest kept id on, the replay is whole; from before it, the stream says it cannot be.
        await using (var whole = await SseClient.OpenAsync(host.Http, id, oldest - 1))
        {
            Assert.Equal("connected", (await whole.NextAsync()).Type);
            Assert.Equal(oldest, (await whole.NextAsync()).Id);
        }

        await using var behind = await SseClient.OpenAsync(host.Http, id, 1);
        Assert.Equal("connected", (await behind.NextAsync()).Type);
        var reset = await behind.NextAsync();
        Assert.Equal("reset", reset.Type);
        Assert.Equal(kept[^1].GetProperty("id").GetInt64(), reset.Id);
        await host.Http.PostForDetailAsync($"/api/v1/jobs/{id}/cancel");
        Assert.Equal("job_canceled", (await behind.ReadUntilAsync(f => f.Type == "job_canceled"))[^1].Type);
    }
}
