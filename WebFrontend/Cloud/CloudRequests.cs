using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using OrbitGrains.WebFrontend.Hosting.Bodies;

namespace OrbitGrains.WebFrontend.Cloud;

// Request bodies of the Cloud family (spec: cloud.md; snake_case; {"detail"} errors, 422 for a member of the wrong
// type as FastAPI answered). Every member may be absent; CloudValidation says what each may hold. Multi-word members
// carry their name ([JsonPropertyName]), as in the other snake_case families: the OpenAPI document is generated with the
// web defaults, not this context's naming policy, and must name what the routes read.

/// <summary>POST /api/instances.</summary>
/// <param name="InstanceType">t3.medium, t3.large (default) or t3.xlarge.</param>
/// <param name="ApiKeys">Provider to key for this instance; absent means the keys stored under /api/user/api-keys.</param>
/// <param name="ClientToken">Optional idempotency token (1..64 characters): a retried create with the same one answers the same instance.</param>
public sealed record CreateInstanceRequest(
    string? Name = null,
    [property: JsonPropertyName("instance_type")] string? InstanceType = null,
    [property: JsonPropertyName("api_keys")] Dictionary<string, string?>? ApiKeys = null,
    [property: JsonPropertyName("client_token")] string? ClientToken = null)
    : IRequestBody<CreateInstanceRequest>
{
    public static JsonTypeInfo<CreateInstanceRequest> JsonTypeInfo => CloudRequestJson.Default.CreateInstanceRequest;
    public static int FieldStatus => StatusCodes.Status422UnprocessableEntity;
    public static int MaxBytes => 16 * 1024;
}

/// <summary>POST /api/user/api-keys: upsert one provider's key.</summary>
public sealed record ApiKeyRequest(string? Provider = null, [property: JsonPropertyName("api_key")] string? ApiKey = null) : IRequestBody<ApiKeyRequest>
{
    public static JsonTypeInfo<ApiKeyRequest> JsonTypeInfo => CloudRequestJson.Default.ApiKeyRequest;
    public static int FieldStatus => StatusCodes.Status422UnprocessableEntity;
    public static int MaxBytes => 8 * 1024;
}

/// <summary>PUT /api/user/api-keys/{provider}: replace that provider's key.</summary>
public sealed record ApiKeyUpdateRequest([property: JsonPropertyName("api_key")] string? ApiKey = null) : IRequestBody<ApiKeyUpdateRequest>
{
    public static JsonTypeInfo<ApiKeyUpdateRequest> JsonTypeInfo => CloudRequestJson.Default.ApiKeyUpdateRequest;
    public static int FieldStatus => StatusCodes.Status422UnprocessableEntity;
    public static int MaxBytes => 8 * 1024;
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, AllowDuplicateProperties = false)]
[JsonSerializable(typeof(CreateInstanceRequest))]
[JsonSerializable(typeof(ApiKeyRequest))]
[JsonSerializable(typeof(ApiKeyUpdateRequest))]
internal sealed partial class CloudRequestJson : JsonSerializerContext;
