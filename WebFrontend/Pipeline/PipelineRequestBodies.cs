using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using OrbitGrains.WebFrontend.Hosting.Bodies;

namespace OrbitGrains.WebFrontend.Pipeline;

// Request bodies of the job routes (spec/operator.md; snake_case; {"detail"} errors, 422 for a member of the wrong
// type). An empty body is refused. Each record is checked field by field by PipelineRequests.

/// <summary>
/// POST /api/v1/jobs: slug and intent are required; the brief is free text or the original's structured brief (a
/// JSON object); brief_config and meta are JSON objects kept as given.
/// </summary>
public sealed record CreateJobRequest(
    string? Slug = null, string? Intent = null, JsonElement? Brief = null,
    [property: JsonPropertyName("brief_config")] JsonElement? BriefConfig = null, JsonElement? Meta = null)
    : IRequestBody<CreateJobRequest>
{
    public static JsonTypeInfo<CreateJobRequest> JsonTypeInfo => PipelineRequestJson.Default.CreateJobRequest;
    public static string? EmptyBody => PipelineRequestBodies.EmptyBody;
    public static int FieldStatus => StatusCodes.Status422UnprocessableEntity;
}

/// <summary>POST /api/v1/jobs/{id}/approve and /reject: the stage whose gate is decided; a patch only when rejecting.</summary>
public sealed record GateDecisionRequest(string? Stage = null, string? Operator = null, string? Notes = null, JsonElement? Patch = null) : IRequestBody<GateDecisionRequest>
{
    public static JsonTypeInfo<GateDecisionRequest> JsonTypeInfo => PipelineRequestJson.Default.GateDecisionRequest;
    public static string? EmptyBody => PipelineRequestBodies.EmptyBody;
    public static int FieldStatus => StatusCodes.Status422UnprocessableEntity;
}

/// <summary>POST /api/v1/compile-brief: the free-text brief to compile.</summary>
public sealed record CompileBriefRequest([property: JsonPropertyName("free_text_brief")] string? FreeTextBrief = null)
    : IRequestBody<CompileBriefRequest>
{
    public static JsonTypeInfo<CompileBriefRequest> JsonTypeInfo => PipelineRequestJson.Default.CompileBriefRequest;
    public static string? EmptyBody => PipelineRequestBodies.EmptyBody;
    public static int FieldStatus => StatusCodes.Status422UnprocessableEntity;
}

/// <summary>
/// POST /api/v1/jobs/{id}/patches/{stage}/apply: a patch ({type, ...}, one of four shapes that PatchParser checks),
/// or {"patch": {...}} as in a rejection. Kept whole, as the JSON object it is.
/// </summary>
[JsonConverter(typeof(PatchRequestConverter))]
public sealed record PatchRequest(JsonElement Root) : IRequestBody<PatchRequest>
{
    public static JsonTypeInfo<PatchRequest> JsonTypeInfo => PipelineRequestJson.Default.PatchRequest;
    public static string? EmptyBody => PipelineRequestBodies.EmptyBody;
    public static int FieldStatus => StatusCodes.Status422UnprocessableEntity;

    /// <summary>The patch: the body itself, or its "patch" member when the body has no "type".</summary>
    public JsonElement Patch => Root.ValueKind == JsonValueKind.Object && Root.TryGetProperty("patch", out var wrapped) && !Root.TryGetProperty("type", out _)
        ? wrapped
        : Root;
}

/// <summary>Reads a <see cref="PatchRequest"/> as the whole object; the body reader has already checked it.</summary>
public sealed class PatchRequestConverter : JsonConverter<PatchRequest>
{
    public override PatchRequest Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        new(JsonElement.ParseValue(ref reader));

    public override void Write(Utf8JsonWriter writer, PatchRequest value, JsonSerializerOptions options) => value.Root.WriteTo(writer);
}

public static class PipelineRequestBodies
{
    public const string EmptyBody = "Request body is empty; send a JSON object";
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, AllowDuplicateProperties = false)]
[JsonSerializable(typeof(CreateJobRequest))]
[JsonSerializable(typeof(GateDecisionRequest))]
[JsonSerializable(typeof(CompileBriefRequest))]
[JsonSerializable(typeof(PatchRequest))]
internal sealed partial class PipelineRequestJson : JsonSerializerContext;
