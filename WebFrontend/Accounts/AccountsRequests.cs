using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using OrbitGrains.WebFrontend.Hosting;
using OrbitGrains.WebFrontend.Hosting.Bodies;

namespace OrbitGrains.WebFrontend.Accounts;

// Request bodies of the account routes, read by RequestBodies: member names are the contract. Every member may be
// absent (an empty body reads as {}); the endpoints say which are required, with each family's own messages. As the
// original services did, these routes read a body that is not a JSON object, or a member that is not a string, as
// absent (MalformedAsEmpty, LenientString), so the answer is the route's "x is required."

/// <summary>POST /auth/register/basic (Orbit, camelCase).</summary>
public sealed record RegisterBasicRequest(string? Name = null, string? DisplayName = null, string? Password = null, string? Invite = null) : IRequestBody<RegisterBasicRequest>
{
    public static JsonTypeInfo<RegisterBasicRequest> JsonTypeInfo => OrbitRequestJson.Default.RegisterBasicRequest;
    public static ErrorShape Shape => ErrorShape.Orbit;
    public static bool MalformedAsEmpty => true;
}

/// <summary>POST /auth/login/basic and POST /auth/login/options (Orbit).</summary>
public sealed record LoginBasicRequest(string? Username = null, string? Password = null) : IRequestBody<LoginBasicRequest>
{
    public static JsonTypeInfo<LoginBasicRequest> JsonTypeInfo => OrbitRequestJson.Default.LoginBasicRequest;
    public static ErrorShape Shape => ErrorShape.Orbit;
    public static bool MalformedAsEmpty => true;
}

/// <summary>POST /auth/refresh and POST /auth/device/refresh (Orbit).</summary>
public sealed record RefreshTokenRequest(string? RefreshToken = null) : IRequestBody<RefreshTokenRequest>
{
    public static JsonTypeInfo<RefreshTokenRequest> JsonTypeInfo => OrbitRequestJson.Default.RefreshTokenRequest;
    public static ErrorShape Shape => ErrorShape.Orbit;
    public static bool MalformedAsEmpty => true;
}

/// <summary>POST /auth/device/authorise (Orbit).</summary>
public sealed record UserCodeRequest(string? UserCode = null) : IRequestBody<UserCodeRequest>
{
    public static JsonTypeInfo<UserCodeRequest> JsonTypeInfo => OrbitRequestJson.Default.UserCodeRequest;
    public static ErrorShape Shape => ErrorShape.Orbit;
    public static bool MalformedAsEmpty => true;
}

/// <summary>POST /auth/device/token (Orbit).</summary>
public sealed record DeviceCodeRequest(string? DeviceCode = null) : IRequestBody<DeviceCodeRequest>
{
    public static JsonTypeInfo<DeviceCodeRequest> JsonTypeInfo => OrbitRequestJson.Default.DeviceCodeRequest;
    public static ErrorShape Shape => ErrorShape.Orbit;
    public static bool MalformedAsEmpty => true;
}

/// <summary>POST /auth/register/options (Orbit): a new account's name, unless a bearer adds a passkey to its own account.</summary>
public sealed record PasskeyRegisterRequest(string? Name = null, string? DisplayName = null, string? Invite = null) : IRequestBody<PasskeyRegisterRequest>
{
    public static JsonTypeInfo<PasskeyRegisterRequest> JsonTypeInfo => OrbitRequestJson.Default.PasskeyRegisterRequest;
    public static ErrorShape Shape => ErrorShape.Orbit;
    public static bool MalformedAsEmpty => true;
}

/// <summary>POST /auth/register/verify and /auth/login/verify (Orbit): the WebAuthn response (PublicKeyCredential JSON).</summary>
public sealed record PasskeyVerifyRequest(JsonElement? Credential = null) : IRequestBody<PasskeyVerifyRequest>
{
    public static JsonTypeInfo<PasskeyVerifyRequest> JsonTypeInfo => OrbitRequestJson.Default.PasskeyVerifyRequest;
    public static ErrorShape Shape => ErrorShape.Orbit;
    public static bool MalformedAsEmpty => true;
}

/// <summary>POST /api/auth/signup, /api/auth/login, /v1/auth/signup, /v1/auth/login (cloud and agents: {"detail"}, 422 for a wrong type).</summary>
public sealed record EmailCredentialsRequest(string? Email = null, string? Password = null, string? Invite = null) : IRequestBody<EmailCredentialsRequest>
{
    public static JsonTypeInfo<EmailCredentialsRequest> JsonTypeInfo => DetailRequestJson.Default.EmailCredentialsRequest;
    public static int FieldStatus => StatusCodes.Status422UnprocessableEntity;
    public static bool MalformedAsEmpty => true;
}

/// <summary>POST /api/auth/refresh (cloud, snake_case).</summary>
public sealed record CloudRefreshRequest([property: JsonPropertyName("refresh_token")] string? RefreshToken = null) : IRequestBody<CloudRefreshRequest>
{
    public static JsonTypeInfo<CloudRefreshRequest> JsonTypeInfo => DetailRequestJson.Default.CloudRefreshRequest;
    public static int FieldStatus => StatusCodes.Status422UnprocessableEntity;
    public static bool MalformedAsEmpty => true;
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, AllowDuplicateProperties = false, Converters = [typeof(LenientString)])]
[JsonSerializable(typeof(RegisterBasicRequest))]
[JsonSerializable(typeof(LoginBasicRequest))]
[JsonSerializable(typeof(RefreshTokenRequest))]
[JsonSerializable(typeof(UserCodeRequest))]
[JsonSerializable(typeof(DeviceCodeRequest))]
[JsonSerializable(typeof(PasskeyRegisterRequest))]
[JsonSerializable(typeof(PasskeyVerifyRequest))]
internal sealed partial class OrbitRequestJson : JsonSerializerContext;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, AllowDuplicateProperties = false, Converters = [typeof(LenientString)])]
[JsonSerializable(typeof(EmailCredentialsRequest))]
[JsonSerializable(typeof(CloudRefreshRequest))]
internal sealed partial class DetailRequestJson : JsonSerializerContext;
