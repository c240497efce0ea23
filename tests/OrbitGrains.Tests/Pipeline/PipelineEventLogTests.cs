using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OrbitGrains.Hosting;
using OrbitGrains.Pipeline;
using Orleans.Storage;

namespace OrbitGrains.Tests.Pipeline;

/// <summary>
/// A job's events live in its event log grain, apart from the job: jobs stored before that keep their events, and a
/// batch the job stored but had not handed over when it stopped reaches the log once.
/// </summary>
public sealed class PipelineEventLogTests
{
    [Fact]
    public async Task A_job_stored_with_its_events_in_its_own_state_keeps_them_and_numbers_on()
    {
        using var data = new TempDirectory();
        await using var host = await PipelineHost.StartAsync(PipelineHost.Configuration(data.Path, "event-log-upgrade"));
        var id = NewJobId();

        // The layout before the event log: the events inside the job's own row, nothing in a log's row.
        var old = JobAtOutlineGate(id, lastEventId: 5);
        old.Events = Events(1, 5);
        await WriteAsync(host, "pipeline-job", "pipeline-job", id, old);

        // Readers arrive together while the job, woken by the first of them, hands its stored events over: the empty
        // log asks the job while the job waits on the log, and neither may wait for the other.
        var reads = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => host.Http.EventsAsync(id)));
        Assert.All(reads, events => Assert.Equal([1L, 2, 3, 4, 5], events.Select(e => e.GetProperty("id").GetInt64())));
        Assert.Equal("gate_pause", reads[0][^1].GetProperty("type").GetString());

        // A stream replays them, then the job numbers on from where its stored events end.
        await using var sse = await SseClient.OpenAsync(host.Http, id);
        Assert.Equal("connected", (await sse.NextAsync()).Type);
        var replayed = await sse.ReadUntilAsync(f => f.Id == 5);
        Assert.Equal([1L, 2, 3, 4, 5], replayed.Select(f => f.Id));
        var (status, _) = await host.Http.PostForDetailAsync($"/api/v1/jobs/{id}/approve", """{"stage":"outline"}""");
        Assert.Equal(System.Net.HttpStatusCode.OK, status);
        var approved = await sse.NextAsync();
        Assert.Equal((6L, "gate_approved"), (approved.Id, approved.Type));

        // The job's own row no longer carries the events it handed over.
        await Eventually.TrueAsync(async () => (await ReadAsync<PipelineJobState>(host, "pipeline-job", "pipeline-job", id)).Events.Count == 0,
            "the job's row drops the events its log now keeps");
        await host.Http.PostForDetailAsync($"/api/v1/jobs/{id}/cancel");
    }

    [Fact]
    public async Task Events_the_job_stored_but_had_not_handed_to_its_log_before_a_restart_reach_the_log_once()
    {
        using var data = new TempDirectory();
        await using var host = await PipelineHost.StartAsync(PipelineHost.Configuration(data.Path, "event-log-outbox"));
        var id = NewJobId();

        // The job stored events 3 to 5 with its last transition; the log had been given 1 to 3 when the silo stopped.
        var job = JobAtOutlineGate(id, lastEventId: 5);
        job.Outbox = Events(3, 5);
        await WriteAsync(host, "pipeline-job", "pipeline-job", id, job);
        await WriteAsync(host, "pipeline-job-events", "pipeline-job-events", id,
            new PipelineJobEventsGrain.State { Events = Events(1, 3), LastEventId = 3 });

        // Whatever wakes the job (its watchdog, after a real restart; a request here) hands the rest over.
        Assert.Equal(5, (await host.Http.GetJobAsync(id)).GetProperty("last_event_id").GetInt64());
        await Eventually.TrueAsync(async () => (await host.Http.EventsAsync(id)).Length == 5, "the log has every stored event");
        var events = await host.Http.EventsAsync(id);
        Assert.Equal([1L, 2, 3, 4, 5], events.Select(e => e.GetProperty("id").GetInt64()));

        // And numbering goes on without a gap or a repeat.
        await host.Http.PostForDetailAsync($"/api/v1/jobs/{id}/cancel");
        events = await host.Http.EventsAsync(id);
        Assert.Equal(Enumerable.Range(1, 6).Select(i => (long)i), events.Select(e => e.GetProperty("id").GetInt64()));
        Assert.Equal("job_canceled", events[^1].GetProperty("type").GetString());
    }

    private static string NewJobId() => "job_" + Guid.NewGuid().ToString("N");

    /// <summary>A job whose outline stage is done and whose required outline gate waits, as an earlier version stored it.</summary>
    private static PipelineJobState JobAtOutlineGate(string id, long lastEventId)
    {
        var created = DateTimeOffset.UtcNow.AddMinutes(-1);
        var settings = new JobSettings([new GateRule("outline", true, null, null)], [], 50, [], null);
        return new PipelineJobState
        {
            Id = id,
            Slug = "stored-earlier",
            Intent = "Explain grains",
            Status = JobStatus.NeedsApproval,
            StageIndex = 0,
            CreatedAt = created,
            UpdatedAt = created,
            CreatedBy = "admin",
            Settings = settings,
            Stages = PipelineStages.All.Select((name, i) => i == 0
                ? new StageRecord(name, StageStatus.Completed, created, created, 1, null)
                : new StageRecord(name, StageStatus.Pending, null, null, 0, null)).ToList(),
            Gates = [new GateRecord(settings.Gates[0], created, null, null, null, null, false, null)],
            LastEventId = lastEventId,
        };
    }

    private static List<PipelineEvent> Events(long from, long to)
    {
        var types = new[] { "job_created", "job_started", "stage_started", "stage_completed", "gate_pause" };
        return Enumerable.Range((int)from, (int)(to - from + 1)).Select(i => new PipelineEvent(
            i, DateTimeOffset.UtcNow.AddSeconds(-60 + i), types[(i - 1) % types.Length], i > 2 ? "outline" : null,
            i == 5 ? JobStatus.NeedsApproval : JobStatus.Running, $"stored event {i}", JsonSerializer.Serialize(new { n = i }))).ToList();
    }

    private static IGrainStorage Storage(RunningHost host) => host.Services.GetRequiredKeyedService<IGrainStorage>(OrbitStorageNames.GrainState);

    private static Task WriteAsync<T>(RunningHost host, string stateName, string grainType, string key, T state) =>
        Storage(host).WriteStateAsync(stateName, GrainId.Create(grainType, key), new GrainState<T>(state));

    private static async Task<T> ReadAsync<T>(RunningHost host, string stateName, string grainType, string key) where T : new()
    {
        var state = new GrainState<T>(new T());
        await Storage(host).ReadStateAsync(stateName, GrainId.Create(grainType, key), state);
        return state.State!;
    }
}
