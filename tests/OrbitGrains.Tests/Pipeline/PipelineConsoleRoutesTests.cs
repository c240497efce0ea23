using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace OrbitGrains.Tests.Pipeline;

/// <summary>The original console's remaining routes: gate decisions, direct patches, patch types, brief compilation.</summary>
public sealed class PipelineConsoleRoutesTests(PipelineFixture fixture) : IClassFixture<PipelineFixture>
{
    private HttpClient Http => fixture.Http;

    [Fact]
    public async Task Gate_decisions_are_read_per_stage_and_together_with_the_patch_of_a_rejection()
    {
        var id = (await Http.CreateJobAsync("decisions")).GetProperty("id").GetString()!;
        await Http.WaitForGateAsync(id, "outline");
        var none = await Http.GetAsync($"/api/v1/jobs/{id}/gates/outline/decision");
        Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);
        Assert.Equal("No gate decision found for stage outline", (await none.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());

        await Http.PostForDetailAsync($"/api/v1/jobs/{id}/approve", """{"stage":"outline","notes":"fine","operator":"dana"}""");
        await Http.WaitForGateAsync(id, "research");
        await Http.PostForDetailAsync($"/api/v1/jobs/{id}/reject",
            """{"stage":"research","notes":"redo","patch":null}""");
        var outline = await Http.GetFromJsonAsync<JsonElement>($"/api/v1/jobs/{id}/gates/outline/decision");
        Assert.True(outline.GetProperty("approved").GetBoolean());
        Assert.Equal("dana", outline.GetProperty("by").GetString());
        Assert.Equal("fine", outline.GetProperty("notes").GetString());
        Assert.False(outline.GetProperty("auto_approved").GetBoolean());
        Assert.Equal(JsonValueKind.Null, outline.GetProperty("patch").ValueKind);

        var all = await Http.GetFromJsonAsync<JsonElement>($"/api/v1/jobs/{id}/gates/decisions");
        Assert.Equal(id, all.GetProperty("job_id").GetString());
        Assert.Equal(2, all.GetProperty("total_decisions").GetInt32());
        Assert.Equal(["outline", "research"], all.GetProperty("decisions").EnumerateObject().Select(p => p.Name));
        Assert.False(all.GetProperty("decisions").GetProperty("research").GetProperty("approved").GetBoolean());
        Assert.Equal(2, all.GetProperty("history").GetArrayLength());
        await Http.PostForDetailAsync($"/api/v1/jobs/{id}/cancel");

        // A rejection's patch shows on the gate (the original's Gate.patch) and in its decision.
        var scripted = (await Http.CreateJobAsync("decision-patch")).GetProperty("id").GetString()!;
        foreach (var stage in new[] { "outline", "research" })
        {
            await Http.WaitForGateAsync(scripted, stage);
            await Http.PostForDetailAsync($"/api/v1/jobs/{scripted}/approve", $$"""{"stage":"{{stage}}"}""");
        }

        await Http.WaitForGateAsync(scripted, "script");
        await Http.PostForDetailAsync($"/api/v1/jobs/{scripted}/reject",
            """{"stage":"script","patch":{"type":"text_replace","replacements":[{"old":"a","new":"b"}]}}""");
        var gate = (await Http.GetJobAsync(scripted)).GetProperty("gates")[2];
        Assert.Equal("text_replace", gate.GetProperty("patch").GetProperty("type").GetString());
        var decision = await Http.GetFromJsonAsync<JsonElement>($"/api/v1/jobs/{scripted}/gates/script/decision");
        Assert.Equal("b", decision.GetProperty("patch").GetProperty("replacements")[0].GetProperty("new").GetString());
        await Http.PostForDetailAsync($"/api/v1/jobs/{scripted}/cancel");
    }

    [Fact]
    public async Task Decision_routes_refuse_unknown_jobs_and_stages()
    {
        foreach (var path in new[] { "/api/v1/jobs/job_missing/gates/outline/decision", "/api/v1/jobs/job_missing/gates/decisions" })
        {
            var response = await Http.GetAsync(path);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("Job job_missing not found", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        }

        Assert.Equal(HttpStatusCode.BadRequest, (await Http.GetAsync("/api/v1/jobs/job_missing/gates/mastering/decision")).StatusCode);
    }

    [Fact]
    public async Task A_patch_applied_directly_records_a_patched_artifact_and_an_event()
    {
        var id = (await Http.CreateJobAsync("direct-patch")).GetProperty("id").GetString()!;
        var (status, detail) = await Http.PostForDetailAsync($"/api/v1/jobs/{id}/patches/script/apply",
            """{"type":"text_replace","replacements":[{"old":"x","new":"y"}]}""");
        Assert.Equal((HttpStatusCode.Conflict, "Stage script has no artifact to patch yet"), (status, detail));

        foreach (var stage in new[] { "outline", "research" })
        {
            await Http.WaitForGateAsync(id, stage);
            await Http.PostForDetailAsync($"/api/v1/jobs/{id}/approve", $$"""{"stage":"{{stage}}"}""");
        }

        await Http.WaitForGateAsync(id, "script");
        var before = await Http.GetJobAsync(id);
        var cases = new (string Stage, string Body, HttpStatusCode Expected)[]
        {
            ("script", "{not json", HttpStatusCode.BadRequest),
            ("script", """{"type":"rewrite"}""", HttpStatusCode.UnprocessableEntity),
            ("script", """{"type":"text_replace","replacements":[]}""", HttpStatusCode.UnprocessableEntity),
            ("script", """{"type":"level_adjust","level_change_db":3}""", HttpStatusCode.BadRequest),
            ("outline", """{"type":"text_replace","replacements":[{"old":"x","new":"y"}]}""", HttpStatusCode.BadRequest),
            ("mastering", """{"type":"text_replace","replacements":[{"old":"x","new":"y"}]}""", HttpStatusCode.BadRequest),
            ("script", $$"""{"type":"section_replace","section_marker":"# A","new_section":"{{new string('x', 70_000)}}"}""", HttpStatusCode.RequestEntityTooLarge),
        };
        foreach (var (stage, body, expected) in cases)
        {
            var response = await Http.PostJsonAsync($"/api/v1/jobs/{id}/patches/{stage}/apply", body);
            Assert.True(expected == response.StatusCode, $"{stage} {body[..Math.Min(50, body.Length)]}: {response.StatusCode}");
        }

        Assert.Equal(before.GetProperty("last_event_id").GetInt64(), (await Http.GetJobAsync(id)).GetProperty("last_event_id").GetInt64());

        // The original's body is the patch itself; a rejection's {"patch": ...} form is read too. In parallel, both land.
        var results = await Task.WhenAll(
            Http.PostJsonAsync($"/api/v1/jobs/{id}/patches/script/apply", """{"type":"text_replace","replacements":[{"old":"Orleans","new":"Microsoft Orleans"}]}"""),
            Http.PostJsonAsync($"/api/v1/jobs/{id}/patches/script/apply", """{"patch":{"type":"section_replace","section_marker":"## Intro","new_section":"Hello"}}"""));
        foreach (var response in results)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("Patch applied successfully to script", body.GetProperty("message").GetString());
            Assert.Equal("script", body.GetProperty("artifact").GetProperty("stage").GetString());
        }

        var artifacts = (await Http.GetJobAsync(id)).GetProperty("artifacts").EnumerateArray().Where(a => a.GetProperty("stage").GetString() == "script").ToList();
        Assert.Equal(3, artifacts.Count);
        Assert.Equal(["section_replace", "text_replace"], artifacts.Skip(1).Select(a => a.GetProperty("meta").GetProperty("patch_applied").GetString()).Order());
        // Each patch applies to the newest version: the first to the stage's output, the second to the first's result.
        Assert.Equal(artifacts[0].GetProperty("path").GetString(), artifacts[1].GetProperty("meta").GetProperty("patched_from").GetString());
        Assert.Equal(artifacts[1].GetProperty("path").GetString(), artifacts[2].GetProperty("meta").GetProperty("patched_from").GetString());
        Assert.Equal(3, artifacts.Select(a => a.GetProperty("path").GetString()).Distinct().Count());
        var applied = (await Http.EventsAsync(id)).Where(e => e.GetProperty("type").GetString() == "patch_applied_direct").ToList();
        Assert.Equal(2, applied.Count);
        Assert.All(applied, e => Assert.Equal("admin", e.GetProperty("payload").GetProperty("operator").GetString()));

        // The job did not move: it still waits at the script gate.
        Assert.Equal("needs_approval", (await Http.GetJobAsync(id)).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await Http.PostJsonAsync("/api/v1/jobs/job_missing/patches/script/apply", """{"type":"level_adjust","level_change_db":1}""")).StatusCode);
        await Http.PostForDetailAsync($"/api/v1/jobs/{id}/cancel");
    }

    [Fact]
    public async Task Patch_types_list_each_stages_types_with_an_example_the_parser_accepts()
    {
        var types = await Http.GetFromJsonAsync<JsonElement>("/api/v1/patches/types");
        var byStage = types.GetProperty("patch_types");
        Assert.Equal(["script", "storyboard", "audio"], byStage.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["text_replace", "section_replace"], byStage.GetProperty("script").GetProperty("examples").EnumerateArray().Select(e => e.GetProperty("type").GetString()));
        Assert.False(string.IsNullOrEmpty(types.GetProperty("usage").GetString()));

        // Every example is a patch the product takes for its stage (shown through a rejection's validation).
        foreach (var stage in byStage.EnumerateObject())
        {
            foreach (var example in stage.Value.GetProperty("examples").EnumerateArray())
            {
                var response = await Http.PostJsonAsync("/api/v1/jobs/job_missing/reject",
                    $$"""{"stage":"{{stage.Name}}","patch":{{example.GetProperty("example").GetRawText()}}}""");
                Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            }
        }
    }

    [Fact]
    public async Task A_free_text_brief_compiles_into_a_structured_brief_with_its_assumptions()
    {
        var response = await Http.PostAsJsonAsync("/api/v1/compile-brief",
            new { free_text_brief = "90 second video about container gardening, friendly tone, cta on" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var brief = body.GetProperty("compiled_brief");
        Assert.Equal("Container Gardening", brief.GetProperty("title").GetString());
        Assert.Equal("friendly", brief.GetProperty("tone").GetString());
        Assert.Equal(90, brief.GetProperty("target_len_sec").GetInt32());
        Assert.Equal(2, brief.GetProperty("video").GetProperty("target_length_max").GetInt32());
        Assert.True(brief.GetProperty("monetization").GetProperty("cta_enabled").GetBoolean());
        Assert.Equal("90 second video about container gardening, friendly tone, cta on", body.GetProperty("original_text").GetString());
        var assumptions = body.GetProperty("assumptions").EnumerateArray().Select(a => a.GetString()).ToList();
        Assert.Contains("Using default intent: narrative_history", assumptions);
        Assert.DoesNotContain(assumptions, a => a!.Contains("tone"));

        var defaults = await (await Http.PostAsJsonAsync("/api/v1/compile-brief", new { free_text_brief = "something short" })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("Using default duration: 5-7 minutes", defaults.GetProperty("assumptions").EnumerateArray().Select(a => a.GetString()));

        foreach (var (body2, expected) in new[]
        {
            ("{}", HttpStatusCode.BadRequest), ("""{"free_text_brief":"  "}""", HttpStatusCode.BadRequest), ("""{"free_text_brief":null}""", HttpStatusCode.BadRequest),
            ("""{"free_text_brief":5}""", HttpStatusCode.UnprocessableEntity), ($$"""{"free_text_brief":"{{new string('x', 6000)}}"}""", HttpStatusCode.UnprocessableEntity),
            ("{nope", HttpStatusCode.BadRequest), ("[]", HttpStatusCode.BadRequest),
        })
        {
            var refused = await Http.PostJsonAsync("/api/v1/compile-brief", body2);
            Assert.Equal(expected, refused.StatusCode);
            Assert.False(string.IsNullOrEmpty((await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()));
        }

        var missing = await Http.PostJsonAsync("/api/v1/compile-brief", "{}");
        Assert.Equal("free_text_brief is required", (await missing.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_duration_in_any_scripts_digits_is_read_as_the_original_reads_it_and_never_fails_the_request()
    {
        // The original's \d and int() take any Unicode decimal digit (fullwidth, Arabic-Indic...), so these are
        // durations, not text to skip; a job created from such a brief compiles it the same way.
        foreach (var (text, minutes) in new[] { ("a \uFF15 minute video", 5), ("a \u0663 minute video", 3), ("\u0661\u0662-\uFF11\uFF15 min", 12) })
        {
            var response = await Http.PostAsJsonAsync("/api/v1/compile-brief", new { free_text_brief = text });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var video = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("compiled_brief").GetProperty("video");
            Assert.Equal(minutes, video.GetProperty("target_length_min").GetInt32());
        }

        var job = await Http.PostAsJsonAsync("/api/v1/jobs", new { slug = "digits", intent = "i", meta = new { free_text_brief = "a \u0663 minute video" } });
        Assert.True(job.IsSuccessStatusCode, $"creating a job from the brief answered {(int)job.StatusCode}");
    }
}
