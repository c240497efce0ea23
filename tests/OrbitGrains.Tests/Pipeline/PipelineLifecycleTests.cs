using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OrbitGrains.Pipeline;

namespace OrbitGrains.Tests.Pipeline;

public sealed class PipelineLifecycleTests(PipelineFixture fixture) : IClassFixture<PipelineFixture>
{
    private HttpClient Http => fixture.Http;

    [Fact]
    public async Task A_job_starts_when_created_and_runs_through_every_gate_to_completed()
    {
        var created = await Http.CreateJobAsync("full-run");
        var id = created.GetProperty("id").GetString()!;
        // Started on creation: with 50 ms stages the first may already have finished by the time the 201 is written.
        Assert.Contains(created.GetProperty("status").GetString(), new[] { "running", "needs_approval" });
        Assert.Equal("outline", created.GetProperty("current_stage").GetString());

        foreach (var stage in PipelineStages.All)
        {
            await Http.WaitForGateAsync(id, stage);
            var (status, message) = await Http.PostForDetailAsync($"/api/v1/jobs/{id}/approve", $$"""{"stage":"{{stage}}","notes":"ok"}""");
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal($"Gate {stage} approved successfully", message);
        }

        var job = await Http.WaitForStatusAsync(id, "completed");
        Assert.All(job.GetProperty("stages").EnumerateArray(), stage => Assert.Equal("completed", stage.GetProperty("status").GetString()));

        var gates = await Http.GetFromJsonAsync<JsonElement>($"/api/v1/jobs/{id}/gates/status");
        Assert.Equal(9, gates.GetProperty("total_gates").GetInt32());
        Assert.Equal(9, gates.GetProperty("approved_gates").GetInt32());
        Assert.Equal(0, gates.GetProperty("pending_gates").GetInt32());
        Assert.All(gates.GetProperty("gates").EnumerateArray(), gate => Assert.Equal("admin", gate.GetProperty("by").GetString()));

        var artifacts = await Http.GetFromJsonAsync<JsonElement[]>($"/api/v1/jobs/{id}/artifacts");
        Assert.Equal(PipelineStages.All, artifacts!.Select(a => a.GetProperty("stage").GetString()!).ToArray());
        Assert.All(artifacts!, a =>
        {
            Assert.StartsWith("sha256:", a.GetProperty("checksum").GetString());
            Assert.True(a.GetProperty("size_bytes").GetInt64() > 0);
        });

        // The event log tells the same story, in order, with ids 1..n.
        var events = await Http.EventsAsync(id);
        Assert.Equal(Enumerable.Range(1, events.Length).Select(i => (long)i), events.Select(e => e.GetProperty("id").GetInt64()));
        var types = events.Select(e => e.GetProperty("type").GetString()).ToList();
        Assert.Equal(["job_created", "job_started", "stage_started", "artifact_created", "stage_completed", "gate_pause", "gate_approved", "stage_started"], types.Take(8));
        Assert.Equal("job_completed", types[^1]);
        Assert.Equal(9, types.Count(t => t == "gate_pause"));
        Assert.Equal(9, types.Count(t => t == "gate_approved"));
        var pause = events.First(e => e.GetProperty("type").GetString() == "gate_pause" && e.GetProperty("stage").GetString() == "script");
        Assert.Equal("needs_approval", pause.GetProperty("status").GetString());
        Assert.Equal("required", pause.GetProperty("payload").GetProperty("gate_type").GetString());
        Assert.Equal($"{id}_script", pause.GetProperty("payload").GetProperty("gate_id").GetString());
    }

    [Fact]
    public async Task A_rejection_pauses_the_job_and_resume_reruns_the_stage_with_the_patch_and_continues()
    {
        var id = (await Http.CreateJobAsync("reject")).GetProperty("id").GetString()!;
        foreach (var stage in new[] { "outline", "research" })
        {
            await Http.WaitForGateAsync(id, stage);
            await Http.PostForDetailAsync($"/api/v1/jobs/{id}/approve", $$"""{"stage":"{{stage}}"}""");
        }

        await Http.WaitForGateAsync(id, "script");
        var (status, message) = await Http.PostForDetailAsync($"/api/v1/jobs/{id}/reject",
            """{"stage":"script","operator":"dana","notes":"wrong name","patch":{"type":"text_replace","replacements":[{"old":"Orleans","new":"Microsoft Orleans"}]}}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Gate script rejected successfully", message);

        var paused = await Http.GetJobAsync(id);
        Assert.Equal("paused", paused.GetProperty("status").GetString());
        var gates = await Http.GetFromJsonAsync<JsonElement>($"/api/v1/jobs/{id}/gates/status");
        Assert.Equal(1, gates.GetProperty("rejected_gates").GetInt32());
        var scriptGate = gates.GetProperty("gates").EnumerateArray().Single(g => g.GetProperty("stage").GetString() == "script");
        Assert.False(scriptGate.GetProperty("approved").GetBoolean());
        Assert.True(scriptGate.GetProperty("has_patch").GetBoolean());
        Assert.Equal("dana", scriptGate.GetProperty("by").GetString());

        // Nothing moves while paused: no further stage starts.
        var before = paused.GetProperty("last_event_id").GetInt64();
        (status, _) = await Http.PostForDetailAsync($"/api/v1/jobs/{id}/approve", """{"stage":"script"}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(before, (await Http.GetJobAsync(id)).GetProperty("last_event_id").GetInt64());

        (status, message) = await Http.PostForDetailAsync($"/api/v1/jobs/{id}/resume");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("resumed", message);

        // The script stage runs again with the patch, produces a second artifact, and stops at its gate for a fresh look.
        var again = await Http.WaitForGateAsync(id, "script");
        Assert.Equal(2, again.GetProperty("stages").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "script").GetProperty("attempts").GetInt32());
        var artifacts = await Http.GetFromJsonAsync<JsonElement[]>($"/api/v1/jobs/{id}/artifacts");
        var patched = artifacts!.Last(a => a.GetProperty("stage").GetString() == "script");
        Assert.Equal("text_replace", patched.GetProperty("meta").GetProperty("patch_applied").GetString());
        var events = await Http.EventsAsync(id);
        var resumed = events.Single(e => e.GetProperty("type").GetString() == "job_resumed");
        Assert.Equal("Microsoft Orleans", resumed.GetProperty("payload").GetProperty("patch").GetProperty("replacements")[0].GetProperty("new").GetString());

        await Http.PostForDetailAsync($"/api/v1/jobs/{id}/approve", """{"stage":"script"}""");
        await Http.WaitForGateAsync(id, "storyboard");
    }

    [Fact]
    public async Task Cancel_works_from_running_from_a_gate_and_from_paused_and_is_refused_once_terminal()
    {
        var running = (await Http.CreateJobAsync("cancel-running")).GetProperty("id").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await Http.PostForDetailAsync($"/api/v1/jobs/{running}/cancel")).Status);

        var atGate = (await Http.CreateJobAsync("cancel-gate")).GetProperty("id").GetString()!;
        await Http.WaitForGateAsync(atGate, "outline");
        Assert.Equal(HttpStatusCode.OK, (await Http.PostForDetailAsync($"/api/v1/jobs/{atGate}/cancel")).Status);

        var paused = (await Http.CreateJobAsync("cancel-paused")).GetProperty("id").GetString()!;
        await Http.WaitForGateAsync(paused, "outline");
        await Http.PostForDetailAsync($"/api/v1/jobs/{paused}/reject", """{"stage":"outline"}""");
        Assert.Equal("paused", (await Http.GetJobAsync(paused)).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, (await Http.PostForDetailAsync($"/api/v1/jobs/{paused}/cancel")).Status);

        foreach (var id in new[] { running, atGate, paused })
        {
            var job = await Http.GetJobAsync(id);
            Assert.Equal("canceled", job.GetProperty("status").GetString());
            var (status, detail) = await Http.PostForDetailAsync($"/api/v1/jobs/{id}/cancel");
            Assert.Equal(HttpStatusCode.BadRequest, status);
            Assert.Equal($"Job {id} is already canceled", detail);
            Assert.Equal("job_canceled", (await Http.EventsAsync(id))[^1].GetProperty("type").GetString());
        }

        // A canceled job stays canceled: its stage timer and deadlines are gone. No wait is needed to know it: the
        // jobs created after the cancel have already finished a first stage of the same length, so a stage timer the
        // cancel had left armed would have fired before this read.
        var final = await Http.GetJobAsync(running);
        Assert.Equal("canceled", final.GetProperty("status").GetString());
        // On a loaded machine the first 50 ms stage may finish before the cancel lands; either way nothing ran after it.
        var stages = final.GetProperty("stages").EnumerateArray().ToArray();
        Assert.Contains(stages[0].GetProperty("status").GetString(), new[] { "canceled", "completed" });
        Assert.All(stages.Skip(1), stage => Assert.Equal("pending", stage.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task Every_404_of_the_spec_names_the_job_or_the_gate()
    {
        const string missing = "job_does_not_exist";
        foreach (var path in new[] { "", "/gates/status", "/events", "/artifacts", "/events/stream" })
        {
            var response = await Http.GetAsync($"/api/v1/jobs/{missing}{path}");
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal($"Job {missing} not found", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        }

        foreach (var action in new[] { "approve", "reject" })
        {
            var (status, detail) = await Http.PostForDetailAsync($"/api/v1/jobs/{missing}/{action}", """{"stage":"outline"}""");
            Assert.Equal((HttpStatusCode.NotFound, $"Job {missing} not found"), (status, detail));
        }

        foreach (var action in new[] { "resume", "cancel" })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await Http.PostForDetailAsync($"/api/v1/jobs/{missing}/{action}")).Status);
        }

        // A gate the job has not reached is there, but not open: a conflict with the job's state, not a missing thing.
        var id = (await Http.CreateJobAsync("no-gate")).GetProperty("id").GetString()!;
        foreach (var action in new[] { "approve", "reject" })
        {
            var (gateStatus, gateDetail) = await Http.PostForDetailAsync($"/api/v1/jobs/{id}/{action}", """{"stage":"audio"}""");
            Assert.Equal((HttpStatusCode.Conflict, "Gate audio is not open yet"), (gateStatus, gateDetail));
        }

        Assert.Equal(JsonValueKind.Null, (await Http.GetJobAsync(id)).GetProperty("gates")[6].GetProperty("approved").ValueKind);
        await Http.PostForDetailAsync($"/api/v1/jobs/{id}/cancel");
    }

    [Fact]
    public async Task Every_400_of_the_spec_and_the_job_is_unchanged()
    {
        var id = (await Http.CreateJobAsync("four-hundreds")).GetProperty("id").GetString()!;
        await Http.WaitForGateAsync(id, "outline");
        Assert.Equal(HttpStatusCode.OK, (await Http.PostForDetailAsync($"/api/v1/jobs/{id}/approve", """{"stage":"outline"}""")).Status);

        var (status, detail) = await Http.PostForDetailAsync($"/api/v1/jobs/{id}/approve", """{"stage":"outline"}""");
        Assert.Equal((HttpStatusCode.BadRequest, "Gate for stage outline has already been decided"), (status, detail));
        (status, detail) = await Http.PostForDetailAsync($"/api/v1/jobs/{id}/reject", """{"stage":"outline"}""");
        Assert.Equal((HttpStatusCode.BadRequest, "Gate for stage outline has already been decided"), (status, detail));

        await Http.WaitForGateAsync(id, "research");
        var before = await Http.GetJobAsync(id);
        (status, detail) = await Http.PostForDetailAsync($"/api/v1/jobs/{id}/resume");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("not paused", detail);

        var badSince = await Http.GetAsync($"/api/v1/jobs/{id}/events?since=yesterday");
        Assert.Equal(HttpStatusCode.BadRequest, badSince.StatusCode);
        Assert.Contains("since", (await badSince.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, (await Http.GetAsync($"/api/v1/jobs/{id}/events?limit=0")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Http.GetAsync("/api/v1/jobs?limit=abc")).StatusCode);

        Assert.Equal(before.GetProperty("last_event_id").GetInt64(), (await Http.GetJobAsync(id)).GetProperty("last_event_id").GetInt64());
        await Http.PostForDetailAsync($"/api/v1/jobs/{id}/cancel");
    }

    [Fact]
    public async Task Malformed_bodies_unknown_stages_and_wrong_patch_shapes_get_4xx_and_leave_the_job_unchanged()
    {
        var id = (await Http.CreateJobAsync("bad-input")).GetProperty("id").GetString()!;
        foreach (var stage in new[] { "outline", "research" })
        {
            await Http.WaitForGateAsync(id, stage);
            await Http.PostForDetailAsync($"/api/v1/jobs/{id}/approve", $$"""{"stage":"{{stage}}"}""");
        }

        var before = await Http.WaitForGateAsync(id, "script");
        var deep = string.Concat(Enumerable.Repeat("{\"a\":", 100)) + "1" + new string('}', 100);
        var cases = new (string Action, string Body, HttpStatusCode Expected)[]
        {
            ("reject", "{not json", HttpStatusCode.BadRequest),
            ("reject", "[1,2,3]", HttpStatusCode.BadRequest),
            ("reject", "", HttpStatusCode.BadRequest),
            ("reject", deep, HttpStatusCode.BadRequest),
            ("reject", """{"stage":42}""", HttpStatusCode.UnprocessableEntity),
            ("reject", """{"notes":"no stage"}""", HttpStatusCode.UnprocessableEntity),
            ("reject", """{"stage":"mastering"}""", HttpStatusCode.BadRequest),
            ("approve", """{"stage":"SCRIPT"}""", HttpStatusCode.BadRequest),
            ("reject", """{"stage":"script","patch":"replace everything"}""", HttpStatusCode.UnprocessableEntity),
            ("reject", """{"stage":"script","patch":{"type":"rewrite"}}""", HttpStatusCode.UnprocessableEntity),
            ("reject", """{"stage":"script","patch":{"type":"text_replace","replacements":[]}}""", HttpStatusCode.UnprocessableEntity),
            ("reject", """{"stage":"script","patch":{"type":"text_replace","replacements":[{"old":1,"new":"x"}]}}""", HttpStatusCode.UnprocessableEntity),
            ("reject", """{"stage":"script","patch":{"type":"section_replace","section_marker":""}}""", HttpStatusCode.UnprocessableEntity),
            ("reject", """{"stage":"script","patch":{"type":"level_adjust","level_change_db":-3}}""", HttpStatusCode.BadRequest),
            ("reject", """{"stage":"script","patch":{"type":"duration_adjust","beat_adjustments":[{"beat_id":"b1","duration":-2}]}}""", HttpStatusCode.UnprocessableEntity),
            ("reject", """{"stage":"script","operator":["x"]}""", HttpStatusCode.UnprocessableEntity),
            ("approve", """{"stage":"script","patch":{"type":"text_replace","replacements":[{"old":"a","new":"b"}]}}""", HttpStatusCode.UnprocessableEntity),
        };

        foreach (var (action, body, expected) in cases)
        {
            var response = await Http.PostJsonAsync($"/api/v1/jobs/{id}/{action}", body);
            Assert.True(expected == response.StatusCode, $"{action} {body[..Math.Min(60, body.Length)]}: expected {expected}, got {response.StatusCode}");
            Assert.False(string.IsNullOrEmpty((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()));
        }

        var huge = await Http.PostJsonAsync($"/api/v1/jobs/{id}/reject", $$"""{"stage":"script","notes":"{{new string('x', 70_000)}}"}""");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, huge.StatusCode);

        var after = await Http.GetJobAsync(id);
        Assert.Equal(before.GetProperty("last_event_id").GetInt64(), after.GetProperty("last_event_id").GetInt64());
        Assert.Equal("needs_approval", after.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, after.GetProperty("gates")[2].GetProperty("approved").ValueKind);

        // The right patch for the stage is accepted.
        var (status, _) = await Http.PostForDetailAsync($"/api/v1/jobs/{id}/reject",
            """{"stage":"script","patch":{"type":"section_replace","section_marker":"## Intro","new_section":"Hello"}}""");
        Assert.Equal(HttpStatusCode.OK, status);
        await Http.PostForDetailAsync($"/api/v1/jobs/{id}/cancel");
    }

    [Fact]
    public async Task Creation_validates_its_body_and_creates_nothing_on_refusal()
    {
        var total = await TotalJobsAsync();
        var cases = new[]
        {
            "{}", """{"slug":"x"}""", """{"intent":"y"}""", """{"slug":"","intent":"y"}""", """{"slug":"a b","intent":"y"}""",
            """{"slug":"x","intent":5}""", """{"slug":"x","intent":"y","meta":[1]}""", """{"slug":"x","intent":"y","brief_config":"z"}""",
            "nope", "null",
        };
        foreach (var body in cases)
        {
            var response = await Http.PostJsonAsync("/api/v1/jobs", body);
            Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity, $"{body}: {response.StatusCode}");
        }

        Assert.Equal(total, await TotalJobsAsync());
    }

    [Fact]
    public async Task Jobs_are_listed_newest_first_with_paging()
    {
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var id = (await Http.CreateJobAsync($"list-{i}")).GetProperty("id").GetString()!;
            ids.Add(id);
            await Http.PostForDetailAsync($"/api/v1/jobs/{id}/cancel");
        }

        var first = await Http.GetFromJsonAsync<JsonElement[]>("/api/v1/jobs?limit=2");
        Assert.Equal([ids[2], ids[1]], first!.Select(j => j.GetProperty("id").GetString()!).ToArray());
        var second = await Http.GetFromJsonAsync<JsonElement[]>("/api/v1/jobs?limit=1&offset=2");
        Assert.Equal(ids[0], second!.Single().GetProperty("id").GetString());
    }

    [Fact]
    public async Task Polling_returns_events_since_a_time_with_limit_and_has_more()
    {
        var id = (await Http.CreateJobAsync("polling")).GetProperty("id").GetString()!;
        await Http.WaitForGateAsync(id, "outline");
        var all = await Http.EventsAsync(id);
        Assert.Equal(6, all.Length);

        var page = await Http.GetFromJsonAsync<JsonElement>($"/api/v1/jobs/{id}/events?limit=2");
        Assert.Equal(6, page.GetProperty("total").GetInt32());
        Assert.True(page.GetProperty("has_more").GetBoolean());
        Assert.Equal(2, page.GetProperty("events").GetArrayLength());

        var since = all[2].GetProperty("ts").GetString();
        var later = await Http.GetFromJsonAsync<JsonElement>($"/api/v1/jobs/{id}/events?since={Uri.EscapeDataString(since!)}");
        Assert.Equal(all.Skip(3).Select(e => e.GetProperty("id").GetInt64()), later.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("id").GetInt64()));
        Assert.False(later.GetProperty("has_more").GetBoolean());
        Assert.Equal(all[^1].GetProperty("ts").GetString(), later.GetProperty("last_event_time").GetString());
        await Http.PostForDetailAsync($"/api/v1/jobs/{id}/cancel");
    }

    private async Task<int> TotalJobsAsync()
    {
        var response = await Http.GetAsync("/api/v1/jobs?limit=1");
        return int.Parse(response.Headers.GetValues("X-Total-Count").Single());
    }
}
