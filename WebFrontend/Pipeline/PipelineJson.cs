using System.Text.Json;
using System.Text.Json.Serialization;
using OrbitGrains.Pipeline;

namespace OrbitGrains.WebFrontend.Pipeline;

/// <summary>The wire shapes of this family (snake_case, as the original's clients read them).</summary>
public static class PipelineJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    public static IResult Ok(object value, int status = StatusCodes.Status200OK) => Results.Json(value, Options, statusCode: status);

    /// <summary>
    /// A job: our fields plus the original's (stage, cfg, artifacts, and patch on gates), which its clients and
    /// tests read. brief is a string or an object, as it was sent.
    /// </summary>
    public static object Job(PipelineJob job) => new
    {
        id = job.Id,
        slug = job.Slug,
        intent = job.Intent,
        brief = job.BriefJson is not null ? (object?)Raw(job.BriefJson) : job.Brief,
        brief_config = Raw(job.BriefConfigJson),
        meta = Raw(job.MetaJson),
        status = job.Status,
        // The original's Job.stage is never empty: a job that has not started yet is at its first stage.
        stage = job.CurrentStage ?? PipelineStages.All[0],
        current_stage = job.CurrentStage,
        cfg = Cfg(job),
        stages = job.Stages.Select(stage => new
        {
            name = stage.Name,
            status = stage.Status,
            started_at = stage.StartedAt,
            completed_at = stage.CompletedAt,
            attempts = stage.Attempts,
            error = stage.Error,
        }),
        gates = job.Gates.Select(gate => Gate(gate, DateTimeOffset.UtcNow)),
        artifacts = (job.Artifacts ?? []).Select(Artifact),
        created_at = job.CreatedAt,
        updated_at = job.UpdatedAt,
        completed_at = job.CompletedAt,
        created_by = job.CreatedBy,
        error = job.Error,
        last_event_id = job.LastEventId,
    };

    public static Dictionary<string, object?> Gate(GateRecord gate, DateTimeOffset now)
    {
        var result = new Dictionary<string, object?>
        {
            ["stage"] = gate.Rule.Stage,
            ["required"] = gate.Rule.Required,
            ["approved"] = gate.Approved,
            ["by"] = gate.By,
            ["at"] = gate.At,
            ["notes"] = gate.Notes,
            ["auto_approved"] = gate.AutoApproved,
            ["has_patch"] = gate.Patch is not null,
            ["patch"] = Raw(gate.Patch?.Json),
            ["gate_type"] = gate.Rule.Required ? "required" : "optional",
            ["review"] = gate.Rule.Review,
            ["opened_at"] = gate.OpenedAt,
        };
        if (gate.Rule.TimeoutSeconds is { } timeout)
        {
            result["timeout_seconds"] = timeout;
        }

        if (gate.Rule.AutoApproveAfterSeconds is { } auto)
        {
            result["auto_approve_after_s"] = auto;
        }

        if (gate is { OpenedAt: { } opened, Approved: null } && (gate.Rule.AutoApproveAfterSeconds ?? gate.Rule.TimeoutSeconds) is not null)
        {
            var seconds = new[] { gate.Rule.AutoApproveAfterSeconds, gate.Rule.TimeoutSeconds }.Where(s => s is not null).Min()!.Value;
            result["time_remaining"] = Math.Max(0, Math.Round((opened + TimeSpan.FromSeconds(seconds) - now).TotalSeconds, 1));
        }

        return result;
    }

    /// <summary>
    /// An event. Copies from the all-jobs feed also name their job and carry the feed's sequence number (seq, the SSE
    /// id on that stream); id stays the job's own event id on both.
    /// </summary>
    public static EventBody Event(PipelineEvent e) => new(
        e.JobId, e.JobId is null ? null : e.Seq, e.Id, e.Ts, e.Type, e.Stage, e.Status, e.Message, Raw(e.PayloadJson));

    /// <summary>The wire shape of an event; job_id and seq only on the all-jobs stream.</summary>
    public sealed record EventBody(
        [property: JsonPropertyName("job_id"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? JobId,
        [property: JsonPropertyName("seq"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Seq,
        [property: JsonPropertyName("id")] long Id,
        [property: JsonPropertyName("ts")] DateTimeOffset Ts,
        [property: JsonPropertyName("type")] string Type,
        [property: JsonPropertyName("stage")] string? Stage,
        [property: JsonPropertyName("status")] string Status,
        [property: JsonPropertyName("message")] string Message,
        [property: JsonPropertyName("payload")] JsonElement? Payload);

    /// <summary>
    /// The configuration snapshot the job was created with (the original's cfg: brief, render, models, modules,
    /// captured_at), with the gate and pipeline rules this product copies into every job.
    /// </summary>
    private static object Cfg(PipelineJob job) => new
    {
        brief = Raw(job.CfgBriefJson) ?? (object)new { slug = job.Slug, intent = job.Intent },
        render = new { },
        models = new { },
        modules = new { },
        gates = job.Settings?.Gates.ToDictionary(rule => rule.Stage, rule => new
        {
            required = rule.Required,
            review = rule.Review,
            timeout_seconds = rule.TimeoutSeconds,
            auto_approve_after_s = rule.AutoApproveAfterSeconds,
        }),
        pipeline = job.Settings is not { } settings ? null : new
        {
            stage_duration_ms = settings.StageDurationMs,
            stage_timeouts = settings.StageTimeoutSeconds,
            runners = settings.Runners,
            job_timeout_hours = settings.JobTimeoutHours,
            max_events_per_job = settings.MaxEvents,
            max_concurrent_jobs = settings.MaxConcurrentJobs,
        },
        captured_at = job.CreatedAt,
    };

    public static object Artifact(ArtifactRecord a) => new
    {
        stage = a.Stage,
        kind = a.Kind,
        path = a.Path,
        meta = Raw(a.MetaJson),
        created_at = a.CreatedAt,
        size_bytes = a.SizeBytes,
        checksum = a.Checksum,
    };

    public static JsonElement? Raw(string? json)
    {
        if (json is null)
        {
            return null;
        }

        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
