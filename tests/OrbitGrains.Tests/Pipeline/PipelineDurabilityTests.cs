using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OrbitGrains.Pipeline;

namespace OrbitGrains.Tests.Pipeline;

/// <summary>Timers that must outlive the process: the gate auto-approve deadline and the running stage.</summary>
public sealed class PipelineDurabilityTests
{
    private static Dictionary<string, string?> Configuration(string dataDir)
    {
        var configuration = PipelineHost.Configuration(dataDir, "durable");
        // Seconds instead of Orleans' one-minute floor, so the watchdog reminder ticks within the test.
        configuration["Orleans:MinimumReminderPeriod"] = "00:00:01";
        // Long enough that the first host is surely gone before it runs out, even on a busy machine.
        configuration["Operator:gates:outline:auto_approve_after_s"] = "10";
        return configuration;
    }

    /// <summary>
    /// The running stage's reminder is what this test is about: the outline gate's timer is pushed an hour out, so the job
    /// waits at the gate however long a loaded machine takes to get there (with it on, the job could be approved and
    /// move on before the test looked).
    /// </summary>
    private static Dictionary<string, string?> MidStageConfiguration(string dataDir)
    {
        var configuration = Configuration(dataDir);
        configuration["Operator:pipeline:stage_duration_ms"] = "3000";
        configuration["Operator:gates:outline:auto_approve_after_s"] = "3600";
        return configuration;
    }

    [Fact]
    public async Task A_gate_is_auto_approved_by_the_timer_after_a_silo_restart_without_anyone_touching_the_job()
    {
        using var data = new TempDirectory();
        string id;
        DateTimeOffset openedAt;
        await using (var first = await PipelineHost.StartAsync(Configuration(data.Path)))
        {
            id = (await first.Http.CreateJobAsync("durable")).GetProperty("id").GetString()!;
            var job = await first.Http.WaitForGateAsync(id, "outline");
            openedAt = job.GetProperty("gates")[0].GetProperty("opened_at").GetDateTimeOffset();
        }

        var restartedAt = DateTimeOffset.UtcNow;
        Assert.True(restartedAt < openedAt.AddSeconds(10), "the first host stopped before the deadline");
        await using var second = await PipelineHost.StartAsync(Configuration(data.Path));

        // No request reaches the job: only its reminder can bring it back.
        var management = second.Grains.GetGrain<IManagementGrain>(0);
        var grainType = GrainType.Create("pipeline-job");
        await Eventually.TrueAsync(async () => (await management.GetActiveGrains(grainType)).Count > 0, "the reminder reactivates the job");

        var after = await second.Http.WaitForGateAsync(id, "research");
        var outline = after.GetProperty("gates")[0];
        Assert.True(outline.GetProperty("approved").GetBoolean());
        Assert.True(outline.GetProperty("auto_approved").GetBoolean());
        Assert.Equal("timer", outline.GetProperty("by").GetString());

        var events = await second.Http.EventsAsync(id);
        var auto = events.Single(e => e.GetProperty("type").GetString() == "gate_auto_approved");
        Assert.Equal("timer", auto.GetProperty("payload").GetProperty("by").GetString());
        Assert.True(auto.GetProperty("ts").GetDateTimeOffset() >= openedAt.AddSeconds(10));
        Assert.True(auto.GetProperty("ts").GetDateTimeOffset() > restartedAt);
        await second.Http.PostForDetailAsync($"/api/v1/jobs/{id}/cancel");
    }

    [Fact]
    public async Task A_job_stopped_mid_stage_finishes_that_stage_after_a_restart()
    {
        using var data = new TempDirectory();
        var configuration = MidStageConfiguration(data.Path);
        string id;
        await using (var first = await PipelineHost.StartAsync(configuration))
        {
            var created = await first.Http.CreateJobAsync("mid-stage");
            id = created.GetProperty("id").GetString()!;
            Assert.Equal("running", created.GetProperty("stages")[0].GetProperty("status").GetString());
        }

        configuration = MidStageConfiguration(data.Path);
        await using var second = await PipelineHost.StartAsync(configuration);
        var management = second.Grains.GetGrain<IManagementGrain>(0);
        await Eventually.TrueAsync(async () => (await management.GetActiveGrains(GrainType.Create("pipeline-job"))).Count > 0, "the reminder reactivates the job");
        var job = await second.Http.WaitForGateAsync(id, "outline");
        Assert.Equal(1, job.GetProperty("stages")[0].GetProperty("attempts").GetInt32());
        var artifacts = await second.Http.GetStringAsync($"/api/v1/jobs/{id}/artifacts");
        Assert.Single(JsonDocument.Parse(artifacts).RootElement.EnumerateArray());
        await second.Http.PostForDetailAsync($"/api/v1/jobs/{id}/cancel");
    }
}
