using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using OrbitGrains.WebFrontend.Hosting.Bodies;

namespace OrbitGrains.WebFrontend.Accounts;

/// <summary>
/// POST /v1/user-token/issue (agents, spec jarvis.md): whose token, by email. An empty body, <c>{}</c> or
/// <c>"email": null</c> mean the first user, as the original's optional member did. Unlike the other account bodies
/// this one is read strictly, because a body read as "no email" replaces the first user's token: malformed JSON or a
/// body that is not an object is a 400, an email that is not a string or a member the record does not have (a
/// misspelt <c>email</c>) a 422, in the agents' <c>{"detail"}</c> shape.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record UserTokenIssueRequest(string? Email = null) : IRequestBody<UserTokenIssueRequest>
{
    public static JsonTypeInfo<UserTokenIssueRequest> JsonTypeInfo => UserTokenIssueJson.Default.UserTokenIssueRequest;
    public static int FieldStatus => StatusCodes.Status422UnprocessableEntity;
}

/// <summary>Without <see cref="LenientString"/>: a number or list given as the email is refused, not read as absent.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, AllowDuplicateProperties = false)]
[JsonSerializable(typeof(UserTokenIssueRequest))]
internal sealed partial class UserTokenIssueJson : JsonSerializerContext;
