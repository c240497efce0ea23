using OrbitGrains.WebFrontend.Accounts;

namespace OrbitGrains.WebFrontend.Hosting.Access;

/// <summary>How a family's clients expect to be refused; each spec names its own status codes and messages.</summary>
public enum RefusalStyle
{
    /// <summary>RFC 9457 ProblemDetails: 401 with `WWW-Authenticate: Bearer`, 403 for a missing role.</summary>
    Problem,

    /// <summary>Orbit JSON routes (spec orbit.md): 401 `{"error":"Unauthorised"}`.</summary>
    Orbit,

    /// <summary>Orbit sockets and their plain-GET preflight: 401 text/plain "Unauthorised" (the Anchor exits on other 4xx).</summary>
    OrbitSocket,

    /// <summary>Cloud routes (spec cloud.md): no credential 403 "Not authenticated", a bad one 401 "Invalid or expired token".</summary>
    Cloud,

    /// <summary>Operator console (spec operator.md): no credential 403 "Not authenticated", a bad one 401 "Invalid authentication token".</summary>
    Operator,

    /// <summary>Bearer user-token routes (spec jarvis.md): the three exact 401 messages.</summary>
    UserToken,

    /// <summary>`X-Control-Plane-Token` routes (spec jarvis.md): 401 "Invalid or missing X-Control-Plane-Token.".</summary>
    ControlPlane,

    /// <summary>Signaling HTTP routes (spec signaling.md): `{"detail"}` with 401 or 403.</summary>
    Rooms,

    /// <summary>The admin dashboard: a browser without a credential is sent to the sign-in form, anything else as <see cref="Problem"/>.</summary>
    Dashboard,
}

/// <summary>Endpoint metadata naming the <see cref="RefusalStyle"/> of a route group.</summary>
public sealed record AccessRefusalMetadata(RefusalStyle Style);

/// <summary>Why a request was refused by its policy.</summary>
public enum Refusal
{
    /// <summary>No credential at all.</summary>
    NoCredential,

    /// <summary>A credential that did not authenticate (unknown, expired, revoked, or of a kind the route does not take).</summary>
    InvalidCredential,

    /// <summary>Authenticated, without the role the policy requires.</summary>
    Forbidden,
}

public static class AccessRefusals
{
    public const string UnauthorisedText = "Unauthorised";

    /// <summary>Declares how the group's clients are refused.</summary>
    public static TBuilder WithRefusals<TBuilder>(this TBuilder builder, RefusalStyle style) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new AccessRefusalMetadata(style));

    /// <summary>Writes the refusal in the style of the request's endpoint.</summary>
    public static Task WriteAsync(HttpContext context, Refusal refusal)
    {
        var style = context.GetEndpoint()?.Metadata.GetMetadata<AccessRefusalMetadata>()?.Style ?? RefusalStyle.Problem;
        return Result(context, style, refusal).ExecuteAsync(context);
    }

    /// <summary>A credential refused with its kind's own reason (<see cref="CredentialAuthenticationHandler.ExplainsRefusals"/>): 401 with it.</summary>
    public static Task WriteExplainedAsync(HttpContext context, string reason) => DetailErrors.Unauthorized(context, reason).ExecuteAsync(context);

    private static IResult Result(HttpContext context, RefusalStyle style, Refusal refusal) => (style, refusal) switch
    {
        (RefusalStyle.Orbit, Refusal.Forbidden) => AccountErrors.Error(StatusCodes.Status403Forbidden, "Forbidden"),
        (RefusalStyle.Orbit, _) => AccountErrors.Unauthorised(),
        (RefusalStyle.OrbitSocket, _) => Results.Text(UnauthorisedText, "text/plain", statusCode: StatusCodes.Status401Unauthorized),
        (RefusalStyle.Cloud or RefusalStyle.Operator, Refusal.NoCredential) => DetailErrors.Error(StatusCodes.Status403Forbidden, "Not authenticated"),
        (RefusalStyle.Cloud, Refusal.InvalidCredential) => DetailErrors.Unauthorized(context, "Invalid or expired token"),
        (RefusalStyle.Cloud, _) => DetailErrors.Error(StatusCodes.Status403Forbidden, "Not enough permissions"),
        (RefusalStyle.Operator, Refusal.InvalidCredential) => DetailErrors.Unauthorized(context, "Invalid authentication token"),
        (RefusalStyle.Operator, _) => DetailErrors.Error(StatusCodes.Status403Forbidden, "Not enough permissions: the operator or admin role is required"),
        (RefusalStyle.UserToken, _) => DetailErrors.Unauthorized(context, UserTokenMessage(context.Request)),
        (RefusalStyle.ControlPlane, _) => DetailErrors.Error(StatusCodes.Status401Unauthorized, "Invalid or missing X-Control-Plane-Token."),
        (RefusalStyle.Rooms, Refusal.Forbidden) => DetailErrors.Error(StatusCodes.Status403Forbidden, "This credential may not do that."),
        (RefusalStyle.Rooms, _) => DetailErrors.Error(StatusCodes.Status401Unauthorized, "A valid bearer token is required."),
        (RefusalStyle.Dashboard, Refusal.NoCredential) when WantsHtml(context.Request) => Results.Redirect(
            Microsoft.AspNetCore.Http.Extensions.UriHelper.BuildAbsolute(context.Request.Scheme, context.Request.Host, context.Request.PathBase, Admin.AdminEndpoints.LoginPath)),
        (_, Refusal.Forbidden) => DetailErrors.Error(StatusCodes.Status403Forbidden, "This credential is not allowed to do that."),
        _ => DetailErrors.Unauthorized(context, "Authentication is required: send a valid Authorization: Bearer token."),
    };

    private static string UserTokenMessage(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.Length == 0 && RequestCredential.Token(request) is null ? "Missing Authorization header."
            : header.Length > 0 && RequestCredential.Bearer(request) is null ? "Authorization header must be Bearer <token>."
            : "Invalid user token.";
    }

    private static bool WantsHtml(HttpRequest request) =>
        request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase);
}
