using System.Net.Http.Json;
using System.Text.Json;

namespace OrbitGrains.Tests.Pipeline;

/// <summary>Stage timeouts and gate timeouts fail the job; the gate status reports the time left.</summary>
public sealed class PipelineTimeoutTests
{
    [Fact]
    public async Task A_stage_that_outlives_its_timeout_fails_the_job()
    {
        using var data = new TempDirectory();
        var configuration = PipelineHost.Configuration(data.Path, "stage-timeout", stageMs: 5000);
        configuration["Operator:pipeline:stage_timeouts:outline"] = "1";
        await using var host = await PipelineHost.StartAsync(configuration);

        var id = (await host.Http.CreateJobAsync("slow")).GetProperty("id").GetString()!;
        var job = await host.Http.WaitForStatusAsync(id, "failed");
        Assert.Equal("failed", job.GetProperty("stages")[0].GetProperty("status").GetString());
        Assert.Contains("timed out", job.GetProperty("error").GetString());
        var types = (await host.Http.EventsAsync(id)).Select(e => e.GetProperty("type").GetString()).ToList();
        Assert.Equal(["stage_failed", "job_failed"], types.TakeLast(2));
        Assert.Empty(await host.Http.GetFromJsonAsync<JsonElement[]>($"/api/v1/jobs/{id}/artifacts") ?? []);
    }

    [Fact]
    public async Task A_required_gate_left_waiting_past_its_timeout_fails_the_job_and_reports_its_time_left_before()
    {
        using var data = new TempDirectory();
        var configuration = PipelineHost.Configuration(data.Path, "gate-timeout");
        configuration["Operator:gates:outline:required"] = "true";
        configuration["Operator:gates:outline:auto_approve_after_s"] = "0";
        configuration["Operator:gates:outline:timeout_seconds"] = "2";
        await using var host = await PipelineHost.StartAsync(configuration);

        var id = (await host.Http.CreateJobAsync("waiting")).GetProperty("id").GetString()!;
        await host.Http.WaitForGateAsync(id, "outline");
        var status = await host.Http.GetFromJsonAsync<JsonElement>($"/api/v1/jobs/{id}/gates/status");
        var gate = status.GetProperty("gates")[0];
        Assert.Equal(2, gate.GetProperty("timeout_seconds").GetInt32());
        Assert.InRange(gate.GetProperty("time_remaining").GetDouble(), 0.1, 2.0);
        Assert.Equal("needs_approval", status.GetProperty("job_status").GetString());

        var failed = await host.Http.WaitForStatusAsync(id, "failed");
        Assert.Contains("Gate for stage outline timed out", failed.GetProperty("error").GetString());
        var last = (await host.Http.EventsAsync(id))[^1];
        Assert.Equal("job_failed", last.GetProperty("type").GetString());
        Assert.Equal("gate_timeout", last.GetProperty("payload").GetProperty("error").GetString());
    }
}
