using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using OrbitGrains.Hosting;
using OrbitGrains.Pipeline;
using OrbitGrains.WebFrontend.Hardening;
using OrbitGrains.WebFrontend.Hosting.Access;
using OrbitGrains.WebFrontend.Hosting.Bodies;

namespace OrbitGrains.WebFrontend.Pipeline;

/// <summary>
/// The operator console's API (spec: operator.md). Every route but /api/v1/healthz needs the operator or admin role
/// and goes through <see cref="PipelineAccess"/>.
/// </summary>
public static partial class PipelineEndpoints
{
    private const string JobCreationLimited = "Job creation rate limit exceeded. Please wait before creating another job.";

    public static IServiceCollection AddPipeline(this IServiceCollection services, OperatorConfiguration.Loaded configuration)
    {
        services.AddSingleton(configuration);
        services.AddSingleton(configuration.Options);
        services.AddSingleton(OperatorConfiguration.JobSettingsFrom(configuration.Options));
        services.AddSingleton<PipelineAccess>();
        services.AddSingleton<PipelineEventHub>();
        services.AddSingleton<StreamTickets>();
        services.AddHostedService(provider => provider.GetRequiredService<PipelineEventHub>());

        // One more credential kind, read only by the event-stream routes (their policy names its scheme).
        services.AddAuthentication().AddCredential<StreamTicketAuthenticationHandler>(StreamTickets.Scheme);
        services.AddAuthorizationBuilder().AddPolicy(StreamTickets.Policy, StreamTickets.BuildPolicy());
        return services;
    }

    public static IEndpointRouteBuilder MapPipeline(this IEndpointRouteBuilder app)
    {
        var cors = app.ServiceProvider.GetRequiredService<OperatorOptions>().Security.Cors;
        app.MapGet("/api/v1/healthz", Health).WithTags("Pipeline").AllowAnonymous().WithOperatorCors(cors)
            .WithSummary("Operator console health (no auth, not rate limited)");

        var loaded = app.ServiceProvider.GetRequiredService<OperatorConfiguration.Loaded>();
        if (loaded.Inert.Count > 0)
        {
            app.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger("OrbitGrains.Pipeline").LogInformation(
                "Operator configuration: {Keys} are accepted for the original console's sake and have no effect here", string.Join(", ", loaded.Inert));
        }

        var api = app.MapGroup("/api/v1").WithTags("Pipeline").WithOperatorCors(cors)
            .RequireAuthorization(OrbitPolicies.Operator).WithRefusals(RefusalStyle.Operator)
            .AddEndpointFilter<PipelineAccess>();
        PipelineConsoleRoutes.Map(api);
        api.MapPost("/jobs", CreateAsync)
            .WithSummary("Create a job: it starts at once, or waits as \"queued\" while pipeline.max_concurrent_jobs jobs run");
        api.MapGet("/jobs", ListAsync).WithSummary("Jobs, newest first (limit, offset)");
        api.MapGet("/jobs/{id}", GetAsync).WithSummary("One job");
        api.MapPost("/jobs/{id}/approve", (string id, Body<GateDecisionRequest> body, HttpContext http, IGrainFactory grains) =>
                DecideAsync(id, body.Value, http, grains, approve: true))
            .WithSummary("Approve the open gate of a stage");
        api.MapPost("/jobs/{id}/reject", (string id, Body<GateDecisionRequest> body, HttpContext http, IGrainFactory grains) =>
                DecideAsync(id, body.Value, http, grains, approve: false))
            .WithSummary("Reject the open gate of a stage, optionally with a patch; the job pauses");
        api.MapPost("/jobs/{id}/resume", (string id, HttpContext http, IGrainFactory grains) =>
                CommandAsync(id, grains, grain => grain.Resume(PipelineAccess.ActingOperator(http, null))))
            .WithSummary("Resume a paused job: the rejected stage runs again with the gate's patch");
        api.MapPost("/jobs/{id}/cancel", (string id, HttpContext http, IGrainFactory grains) =>
                CommandAsync(id, grains, grain => grain.Cancel(PipelineAccess.ActingOperator(http, null))))
            .WithSummary("Cancel a job that has not finished");
        api.MapGet("/jobs/{id}/gates/status", GatesAsync).WithSummary("Every gate of the job and its decision");
        PipelineGateRoutes.Map(api);
        api.MapGet("/jobs/{id}/events", EventsAsync).WithSummary("Stored events (since, limit, after_id)");
        api.MapGet("/jobs/{id}/artifacts", ArtifactsAsync).WithSummary("Artifacts recorded per stage");
        PipelineStreamRoutes.Map(api);
        return app;
    }

    /// <summary>Job ids as this API issues them; any other spelling is an unknown job, never a second copy of one.</summary>
    public static bool IsJobId(string id) => OrbitGrains.Shared.IssuedIds.IsCanonical(id, JobIdPrefix);

    private const string JobIdPrefix = "job_";

    private static IResult Health(SiloReadiness silo) => Results.Json(new
    {
        ok = silo.IsActive,
        timestamp = DateTimeOffset.UtcNow,
        version = typeof(PipelineEndpoints).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0",
        services = new Dictionary<string, object>
        {
            ["orleans"] = new { status = silo.IsActive ? "ready" : "not_ready", active_silos = silo.ActiveSilos },
            ["pipeline"] = new { status = silo.IsActive ? "ok" : "unavailable" },
        },
    }, PipelineJson.Options, statusCode: silo.IsActive ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);

    private static async Task<IResult> CreateAsync(HttpContext http, Body<CreateJobRequest> request, IGrainFactory grains, PipelineAccess access, JobSettings settings)
    {
        var parsed = PipelineRequests.ParseCreate(request.Value);
        if (parsed.Error is not null)
        {
            return parsed.Error;
        }

        var limit = await access.AcquireJobCreationAsync(http);
        if (!limit.Allowed)
        {
            return PipelineResults.TooManyRequests(http, JobCreationLimited, limit.RetryAfterSeconds);
        }

        var body = parsed.Value!;
        var id = OrbitGrains.Shared.IssuedIds.New(JobIdPrefix);
        var grain = grains.GetGrain<IPipelineJobGrain>(id);
        var outcome = await grain.Create(new CreateJob(body.Slug, body.Intent, body.Brief, body.BriefConfigJson, body.MetaJson,
            PipelineAccess.ActingOperator(http, null), settings, body.BriefJson, CfgBrief(body)));
        if (!outcome.Ok)
        {
            return PipelineResults.FromOutcome(outcome);
        }

        var job = await grain.Get();
        http.Response.Headers.Location = $"/api/v1/jobs/{id}";
        return PipelineJson.Ok(PipelineJson.Job(job!), StatusCodes.Status201Created);
    }

    /// <summary>The brief the job's configuration snapshot records, in the original's order of preference.</summary>
    private static string CfgBrief(PipelineRequests.CreateBody body)
    {
        if (body.BriefJson is not null)
        {
            return body.BriefJson;
        }

        if (body.FreeTextBrief is not null)
        {
            return BriefCompiler.Compile(body.FreeTextBrief).Brief.ToJsonString();
        }

        if (body.BriefConfigJson is not null)
        {
            return body.BriefConfigJson;
        }

        var fallback = new System.Text.Json.Nodes.JsonObject { ["slug"] = body.Slug, ["intent"] = body.Intent };
        if (body.Brief is not null)
        {
            fallback["notes"] = body.Brief;
        }

        return fallback.ToJsonString();
    }

    private static async Task<IResult> ListAsync(HttpContext http, IGrainFactory grains)
    {
        if (!TryInt(http.Request.Query["limit"], 50, 1, 200, out var limit) || !TryInt(http.Request.Query["offset"], 0, 0, int.MaxValue, out var offset))
        {
            return PipelineResults.Detail(StatusCodes.Status400BadRequest, "limit must be 1-200 and offset a non-negative integer");
        }

        var page = await grains.GetGrain<IJobIndexGrain>(IJobIndexGrain.Key).Page(offset, limit);
        var jobs = await Task.WhenAll(page.JobIds.Select(id => grains.GetGrain<IPipelineJobGrain>(id).Get()));
        http.Response.Headers["X-Total-Count"] = page.Total.ToString(CultureInfo.InvariantCulture);
        return PipelineJson.Ok(jobs.Where(job => job is not null).Select(job => PipelineJson.Job(job!)).ToArray());
    }

    private static async Task<IResult> GetAsync(string id, IGrainFactory grains)
    {
        var job = IsJobId(id) ? await grains.GetGrain<IPipelineJobGrain>(id).Get() : null;
        return job is null ? NotFound(id) : PipelineJson.Ok(PipelineJson.Job(job));
    }

    private static async Task<IResult> DecideAsync(string id, GateDecisionRequest request, HttpContext http, IGrainFactory grains, bool approve)
    {
        if (!IsJobId(id))
        {
            return NotFound(id);
        }

        var parsed = PipelineRequests.ParseDecision(request, allowPatch: !approve);
        if (parsed.Error is not null)
        {
            return parsed.Error;
        }

        var body = parsed.Value!;
        var decision = new GateDecision(body.Stage, PipelineAccess.ActingOperator(http, body.Operator), body.Notes, body.Patch);
        var grain = grains.GetGrain<IPipelineJobGrain>(id);
        return PipelineResults.FromOutcome(approve ? await grain.Approve(decision) : await grain.Reject(decision));
    }

    private static async Task<IResult> CommandAsync(string id, IGrainFactory grains, Func<IPipelineJobGrain, Task<PipelineOutcome>> command) =>
        IsJobId(id) ? PipelineResults.FromOutcome(await command(grains.GetGrain<IPipelineJobGrain>(id))) : NotFound(id);

    private static async Task<IResult> GatesAsync(string id, IGrainFactory grains)
    {
        var job = IsJobId(id) ? await grains.GetGrain<IPipelineJobGrain>(id).Get() : null;
        if (job is null)
        {
            return NotFound(id);
        }

        var now = DateTimeOffset.UtcNow;
        return PipelineJson.Ok(new
        {
            job_id = job.Id,
            job_status = job.Status,
            current_stage = job.CurrentStage,
            gates = job.Gates.Select(gate => PipelineJson.Gate(gate, now)).ToArray(),
            total_gates = job.Gates.Length,
            approved_gates = job.Gates.Count(gate => gate.Approved == true),
            rejected_gates = job.Gates.Count(gate => gate.Approved == false),
            pending_gates = job.Gates.Count(gate => gate.Approved is null),
        });
    }

    private static async Task<IResult> EventsAsync(string id, HttpContext http, IGrainFactory grains)
    {
        var query = http.Request.Query;
        DateTimeOffset? since = null;
        if (query["since"].ToString() is { Length: > 0 } sinceText)
        {
            if (!DateTimeOffset.TryParse(sinceText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
            {
                return PipelineResults.Detail(StatusCodes.Status400BadRequest,
                    $"Invalid since '{sinceText}': use an ISO 8601 timestamp such as 2025-01-01T00:00:00Z");
            }

            since = parsed;
        }

        if (!TryInt(query["limit"], 100, 1, PipelineJobGrain.MaxStoredEvents, out var limit))
        {
            return PipelineResults.Detail(StatusCodes.Status400BadRequest, $"limit must be an integer from 1 to {PipelineJobGrain.MaxStoredEvents}");
        }

        if (!TryLong(query["after_id"], out var afterId))
        {
            return PipelineResults.Detail(StatusCodes.Status400BadRequest, "after_id must be a non-negative integer");
        }

        var events = IsJobId(id) ? await grains.GetGrain<IPipelineJobGrain>(id).GetEvents() : null;
        if (events is null)
        {
            return NotFound(id);
        }

        var matching = events.Where(e => e.Id > afterId && (since is null || e.Ts > since)).ToArray();
        var page = matching.Take(limit).ToArray();
        return PipelineJson.Ok(new
        {
            job_id = id,
            events = page.Select(PipelineJson.Event).ToArray(),
            total = matching.Length,
            has_more = matching.Length > page.Length,
            last_event_time = page.Length > 0 ? page[^1].Ts : (DateTimeOffset?)null,
            last_event_id = page.Length > 0 ? page[^1].Id : (long?)null,
        });
    }

    private static async Task<IResult> ArtifactsAsync(string id, IGrainFactory grains)
    {
        var artifacts = IsJobId(id) ? await grains.GetGrain<IPipelineJobGrain>(id).GetArtifacts() : null;
        return artifacts is null ? NotFound(id) : PipelineJson.Ok(artifacts.Select(PipelineJson.Artifact).ToArray());
    }

    internal static IResult NotFound(string id) => PipelineResults.Detail(StatusCodes.Status404NotFound, $"Job {id} not found");

    internal static bool TryInt(string? text, int fallback, int min, int max, out int value)
    {
        value = fallback;
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= min && value <= max;
    }

    private static bool TryLong(string? text, out long value)
    {
        value = 0;
        return string.IsNullOrEmpty(text) || long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }
}
