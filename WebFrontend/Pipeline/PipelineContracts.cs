using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace OrbitGrains.WebFrontend.Pipeline;

/// <summary>POST /api/v1/jobs/{id}/events/ticket and POST /api/v1/events/ticket.</summary>
/// <param name="Ticket">Pass as ?ticket= to the stream; works once, for this stream only, within expires_in seconds.</param>
/// <param name="StreamUrl">The stream's path with the ticket already in it (relative to the server).</param>
public sealed record StreamTicketResponse(
    [property: JsonPropertyName("ticket")] string Ticket,
    [property: JsonPropertyName("expires_at")] DateTimeOffset ExpiresAt,
    [property: JsonPropertyName("expires_in")] int ExpiresIn,
    [property: JsonPropertyName("stream_url")] string StreamUrl);

/// <summary>POST /api/v1/config/validate: the configuration file as the next start would read it.</summary>
/// <param name="Valid">Whether the file (with OPERATOR__ environment overrides) would start.</param>
/// <param name="Problems">What would stop the start, one line each; empty when valid.</param>
public sealed record ConfigValidationResponse(
    [property: JsonPropertyName("valid")] bool Valid,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("timestamp")] DateTimeOffset Timestamp,
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("problems")] IReadOnlyList<string> Problems);

/// <summary>POST /api/v1/compile-brief.</summary>
/// <param name="CompiledBrief">The structured brief (title, intent, audience, tone, video, keywords, monetization, notes).</param>
/// <param name="Assumptions">Every default the compiler filled in, in words.</param>
public sealed record CompiledBriefResponse(
    [property: JsonPropertyName("compiled_brief")] JsonObject CompiledBrief,
    [property: JsonPropertyName("assumptions")] IReadOnlyList<string> Assumptions,
    [property: JsonPropertyName("original_text")] string OriginalText);

/// <summary>One gate decision (GET /api/v1/jobs/{id}/gates/{stage}/decision).</summary>
/// <param name="Patch">The patch a rejection carried, else null.</param>
/// <param name="AutoApproved">True when the timer approved (a review window ran out, or an optional gate was passed).</param>
public sealed record GateDecisionResponse(
    [property: JsonPropertyName("stage")] string Stage,
    [property: JsonPropertyName("approved")] bool Approved,
    [property: JsonPropertyName("by")] string By,
    [property: JsonPropertyName("at")] DateTimeOffset At,
    [property: JsonPropertyName("notes")] string? Notes,
    [property: JsonPropertyName("patch")] JsonNode? Patch,
    [property: JsonPropertyName("auto_approved")] bool AutoApproved)
{
    /// <param name="decided">A gate as it stood when decided (Approved, By and At set).</param>
    public static GateDecisionResponse From(OrbitGrains.Pipeline.GateRecord decided) => new(
        decided.Rule.Stage, decided.Approved ?? false, decided.By ?? "", decided.At ?? default, decided.Notes,
        decided.Patch is null ? null : JsonNode.Parse(decided.Patch.Json), decided.AutoApproved);
}

/// <summary>GET /api/v1/jobs/{id}/gates/decisions.</summary>
/// <param name="Decisions">The newest decision per stage, keyed by stage, in pipeline order.</param>
/// <param name="History">Every decision in the order taken (the newest 200).</param>
public sealed record GateDecisionsResponse(
    [property: JsonPropertyName("job_id")] string JobId,
    [property: JsonPropertyName("decisions")] IReadOnlyDictionary<string, GateDecisionResponse> Decisions,
    [property: JsonPropertyName("total_decisions")] int TotalDecisions,
    [property: JsonPropertyName("history")] IReadOnlyList<GateDecisionResponse> History);

/// <summary>POST /api/v1/jobs/{id}/patches/{stage}/apply.</summary>
/// <param name="Artifact">The patched artifact now recorded for the stage ({stage, kind, path, meta, created_at, size_bytes, checksum}).</param>
public sealed record PatchAppliedResponse(
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("artifact")] object? Artifact);
