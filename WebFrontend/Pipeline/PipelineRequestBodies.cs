using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using OrbitGrains.WebFrontend.Hosting.Bodies;

namespace OrbitGrains.WebFrontend.Pipeline;

// Request bodies of the job routes (spec/operator.md; snake_case; {"detail"} errors, 422 for a member of the wrong
// type). An empty body is refused. Each record is checked field by field by PipelineRequests.

/// <summary>POST /api/v1/jobs: slug and intent are required; brief_config and meta are JSON objects kept as given.</summary>
public sealed record CreateJobRequest(
    string? Slug = null, string? Intent = null, string? Brief = null,
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

public static class PipelineRequestBodies
{
    public const string EmptyBody = "Request body is empty; send a JSON object";
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, AllowDuplicateProperties = false)]
[JsonSerializable(typeof(CreateJobRequest))]
[JsonSerializable(typeof(GateDecisionRequest))]
internal sealed partial class PipelineRequestJson : JsonSerializerContext;
