using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OrbitGrains.Pipeline;

namespace OrbitGrains.Tests.Pipeline;

/// <summary>A front end on the product's default operator configuration (gates, 2 s stages), for a test class.</summary>
public sealed class PipelineDefaultsFixture : IAsyncLifetime
{
    public const int StageMs = 2000;

    private readonly TempDirectory _data = new("orbit-pipeline-defaults");

    public RunningHost Host { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var configuration = PipelineHost.Configuration(_data.Path, "pipeline-defaults", reviewOptionalGates: false);
        configuration.Remove("Operator:pipeline:stage_duration_ms");
        Host = await PipelineHost.StartAsync(configuration);
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        _data.Dispose();
    }
}

/// <summary>
/// What the original console's clients read (its UI: job.get("stage"), job.get("artifacts"); its tests/ui/test_api.py:
/// job["id"], ["slug"], ["status"], ["stage"], ["gates"], config["server"]["host"/"port"], len(config["gates"]),
/// the validate message), and jobs that do not wait at optional gates.
/// </summary>
public sealed class PipelineOriginalContractTests(PipelineDefaultsFixture fixture) : IClassFixture<PipelineDefaultsFixture>
{
    private HttpClient Http => fixture.Host.Http;

    [Fact]
    public async Task A_default_job_passes_the_optional_gates_and_waits_at_script_within_four_stage_lengths()
    {
        var created = await Http.CreateJobAsync("default-gates");
        var id = created.GetProperty("id").GetString()!;
        var createdAt = created.GetProperty("created_at").GetDateTimeOffset();

        var job = await Http.WaitForJobAsync(id, j => j.GetProperty("status").GetString() == "needs_approval", "the job waits at a gate", seconds: 60);
        Assert.Equal("script", job.GetProperty("stage").GetString());
        Assert.Equal("script", job.GetProperty("current_stage").GetString());

        // Measured on the job's own clock: stage ends and gate are recorded as they happen.
        var events = await Http.EventsAsync(id);
        var pause = events.Single(e => e.GetProperty("type").GetString() == "gate_pause");
        Assert.Equal("script", pause.GetProperty("stage").GetString());
        var waited = pause.GetProperty("ts").GetDateTimeOffset() - createdAt;
        // Under four stage lengths, and not suspiciously under three (grain timers may fire a hair early).
        Assert.InRange(waited.TotalMilliseconds, 2.5 * PipelineDefaultsFixture.StageMs, 4 * PipelineDefaultsFixture.StageMs);

        // The optional gates were recorded as passed by the timer, without waiting.
        foreach (var gate in job.GetProperty("gates").EnumerateArray().Take(2))
        {
            Assert.False(gate.GetProperty("required").GetBoolean());
            Assert.True(gate.GetProperty("approved").GetBoolean());
            Assert.True(gate.GetProperty("auto_approved").GetBoolean());
            Assert.Equal("timer", gate.GetProperty("by").GetString());
            Assert.Equal(gate.GetProperty("opened_at").GetString(), gate.GetProperty("at").GetString());
        }

        var passed = events.Where(e => e.GetProperty("type").GetString() == "gate_auto_approved").ToArray();
        Assert.Equal(["outline", "research"], passed.Select(e => e.GetProperty("stage").GetString()));
        Assert.All(passed, e => Assert.Equal(0, e.GetProperty("payload").GetProperty("waited_s").GetInt32()));
        Assert.DoesNotContain(events, e => e.GetProperty("type").GetString() == "gate_pause" && e.GetProperty("stage").GetString() != "script");

        // The decisions read as the original's per-stage decision files did.
        var outline = await Http.GetFromJsonAsync<JsonElement>($"/api/v1/jobs/{id}/gates/outline/decision");
        Assert.True(outline.GetProperty("approved").GetBoolean());
        Assert.Equal("timer", outline.GetProperty("by").GetString());
        Assert.True(outline.GetProperty("auto_approved").GetBoolean());
        await Http.PostForDetailAsync($"/api/v1/jobs/{id}/cancel");
    }

    [Fact]
    public async Task The_original_test_api_job_creation_reads_id_slug_status_stage_and_gates()
    {
        // Byte for byte the body the original's tests/ui/test_api.py sends.
        var response = await Http.PostJsonAsync("/api/v1/jobs",
            """{"slug": "test-job-001", "intent": "Test video creation", "brief_config": {"slug": "test-job-001", "intent": "Test video creation", "tone": "informative", "target_len_sec": 30}}""");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var job = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.StartsWith("job_", job.GetProperty("id").GetString());
        Assert.Equal("test-job-001", job.GetProperty("slug").GetString());
        Assert.Contains(job.GetProperty("status").GetString(), new[] { "queued", "running" });
        Assert.Equal("outline", job.GetProperty("stage").GetString());
        Assert.Equal(9, job.GetProperty("gates").GetArrayLength());
        Assert.Equal(PipelineStages.All, job.GetProperty("gates").EnumerateArray().Select(g => g.GetProperty("stage").GetString()!).ToArray());
        Assert.Equal(JsonValueKind.Array, job.GetProperty("artifacts").ValueKind);

        // cfg is the configuration snapshot: here the legacy brief_config is its brief.
        var cfg = job.GetProperty("cfg");
        Assert.Equal(30, cfg.GetProperty("brief").GetProperty("target_len_sec").GetInt32());
        Assert.Equal("informative", cfg.GetProperty("brief").GetProperty("tone").GetString());
        foreach (var part in new[] { "render", "models", "modules" })
        {
            Assert.Equal(JsonValueKind.Object, cfg.GetProperty(part).ValueKind);
        }

        Assert.True(cfg.GetProperty("gates").GetProperty("script").GetProperty("required").GetBoolean());
        Assert.Equal(job.GetProperty("created_at").GetString(), cfg.GetProperty("captured_at").GetString());

        // Its gate step approves "outline" with {decision, stage, notes, operator}: never a 5xx, and the job goes on.
        var approve = await Http.PostJsonAsync($"/api/v1/jobs/{job.GetProperty("id").GetString()}/approve",
            """{"decision": "approved", "stage": "outline", "notes": "Test approval", "operator": "test-operator"}""");
        Assert.True(approve.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest or HttpStatusCode.Conflict, approve.StatusCode.ToString());

        // Its listing step reads id, slug and status of every job.
        var listed = await Http.GetFromJsonAsync<JsonElement[]>("/api/v1/jobs");
        Assert.Contains(listed!, j => j.GetProperty("id").GetString() == job.GetProperty("id").GetString() && j.GetProperty("stage").ValueKind == JsonValueKind.String);
        await Http.PostForDetailAsync($"/api/v1/jobs/{job.GetProperty("id").GetString()}/cancel");
    }

    [Fact]
    public async Task A_structured_brief_is_kept_as_sent_and_becomes_the_configuration_snapshot()
    {
        var response = await Http.PostJsonAsync("/api/v1/jobs",
            """{"slug":"structured","intent":"explain","brief":{"title":"Grains","tone":"warm","target_len_sec":90,"audience":["operators"],"video":{"target_length_min":1}}}""");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var job = await response.Content.ReadFromJsonAsync<JsonElement>();
        var brief = job.GetProperty("brief");
        Assert.Equal("Grains", brief.GetProperty("title").GetString());
        Assert.Equal(90, brief.GetProperty("target_len_sec").GetInt32());
        Assert.Equal(brief.GetRawText(), job.GetProperty("cfg").GetProperty("brief").GetRawText());
        var id = job.GetProperty("id").GetString()!;
        Assert.Equal(brief.GetRawText(), (await Http.GetJobAsync(id)).GetProperty("brief").GetRawText());
        await Http.PostForDetailAsync($"/api/v1/jobs/{id}/cancel");

        // A free-text brief in meta is compiled into the snapshot, as the original did.
        response = await Http.PostJsonAsync("/api/v1/jobs",
            """{"slug":"free-text","intent":"explain","meta":{"free_text_brief":"3-4 min explainer on baby sleep regression, comforting tone, CTA off"}}""");
        var freeTextJob = await response.Content.ReadFromJsonAsync<JsonElement>();
        var compiled = freeTextJob.GetProperty("cfg").GetProperty("brief");
        Assert.Equal("comforting", compiled.GetProperty("tone").GetString());
        Assert.Equal(3, compiled.GetProperty("video").GetProperty("target_length_min").GetInt32());
        Assert.Equal(4, compiled.GetProperty("video").GetProperty("target_length_max").GetInt32());
        Assert.False(compiled.GetProperty("monetization").GetProperty("cta_enabled").GetBoolean());
        await Http.PostForDetailAsync($"/api/v1/jobs/{freeTextJob.GetProperty("id").GetString()}/cancel");
    }

    [Fact]
    public async Task Wrong_brief_shapes_are_422_and_create_nothing()
    {
        var before = (await Http.GetAsync("/api/v1/jobs?limit=1")).Headers.GetValues("X-Total-Count").Single();
        foreach (var (body, expected) in new[]
        {
            ("""{"slug":"b","intent":"y","brief":["a"]}""", "brief must be a string or a JSON object"),
            ("""{"slug":"b","intent":"y","brief":42}""", "brief must be a string or a JSON object"),
            ("""{"slug":"b","intent":"y","brief":{"title":5}}""", "brief.title must be a string"),
            ("""{"slug":"b","intent":"y","brief":{"audience":"everyone"}}""", "brief.audience must be a list of strings"),
            ("""{"slug":"b","intent":"y","brief":{"audience":[1]}}""", "brief.audience must be a list of strings"),
            ("""{"slug":"b","intent":"y","brief":{"video":"long"}}""", "brief.video must be a JSON object"),
            ("""{"slug":"b","intent":"y","brief":{"target_len_sec":-5}}""", "brief.target_len_sec must be a number of seconds"),
            ("""{"slug":"b","intent":"y","meta":{"free_text_brief":7}}""", "meta.free_text_brief must be a string"),
        })
        {
            var response = await Http.PostJsonAsync("/api/v1/jobs", body);
            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
            Assert.StartsWith(expected, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        }

        Assert.Equal(before, (await Http.GetAsync("/api/v1/jobs?limit=1")).Headers.GetValues("X-Total-Count").Single());
    }

    [Fact]
    public async Task The_config_view_shows_the_port_really_listened_on_and_the_gates_in_pipeline_order_and_validate_says_valid()
    {
        var config = await Http.GetFromJsonAsync<JsonElement>("/api/v1/config/operator");
        // The test host asks for port 0; the configured default would say 8080.
        Assert.Equal(fixture.Host.BaseAddress.Port, config.GetProperty("server").GetProperty("port").GetInt32());
        Assert.Equal("127.0.0.1", config.GetProperty("server").GetProperty("host").GetString());
        Assert.Equal(PipelineStages.All, config.GetProperty("gates").EnumerateObject().Select(p => p.Name).ToArray());
        Assert.False(config.GetProperty("gates").GetProperty("outline").GetProperty("waits").GetBoolean());
        Assert.True(config.GetProperty("gates").GetProperty("script").GetProperty("waits").GetBoolean());

        var validate = await Http.PostAsync("/api/v1/config/validate", null);
        Assert.Equal(HttpStatusCode.OK, validate.StatusCode);
        var result = await validate.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(result.GetProperty("valid").GetBoolean());
        Assert.Equal("Configuration is valid", result.GetProperty("message").GetString());
    }
}
