using System.Text.Json;
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

    public static object Job(PipelineJob job) => new
    {
        id = job.Id,
        slug = job.Slug,
        intent = job.Intent,
        brief = job.Brief,
        brief_config = Raw(job.BriefConfigJson),
        meta = Raw(job.MetaJson),
        status = job.Status,
        current_stage = job.CurrentStage,
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

    public static object Event(PipelineEvent e) => new
    {
        id = e.Id,
        ts = e.Ts,
        type = e.Type,
        stage = e.Stage,
        status = e.Status,
        message = e.Message,
        payload = Raw(e.PayloadJson),
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
