using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace OrbitGrains.WebFrontend.Hosting.Access;

/// <summary>
/// Answers every request a policy refused, in the style its route group declared (<see cref="AccessRefusals"/>), so
/// no endpoint writes its own 401 or 403.
/// </summary>
public sealed class OrbitAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    public const string AdminCookieName = "orbit_admin";

    /// <remarks>
    /// An allowed request goes on without a frame of this method waiting under it: a WebSocket request lasts as long as
    /// its socket, and tens of thousands may be open.
    /// </remarks>
    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult) =>
        authorizeResult.Succeeded ? next(context) : RefuseAsync(context, policy, authorizeResult);

    private static async Task RefuseAsync(HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (await ExplainedRefusalAsync(context, policy) is { } explained)
        {
            await AccessRefusals.WriteExplainedAsync(context, explained);
            return;
        }

        var refusal = authorizeResult.Forbidden ? Refusal.Forbidden
            : HasCredential(context.Request) ? Refusal.InvalidCredential
            : Refusal.NoCredential;
        await AccessRefusals.WriteAsync(context, refusal);
    }

    /// <summary>The reason a kind that explains its refusals gave for refusing this request's credential (results are cached per request).</summary>
    private static async Task<string?> ExplainedRefusalAsync(HttpContext context, AuthorizationPolicy policy)
    {
        foreach (var scheme in policy.AuthenticationSchemes)
        {
            if (await TokenAuthenticator.HandlerAsync(context, scheme) is { ExplainsRefusals: true }
                && await context.AuthenticateAsync(scheme) is { Failure: { } failure })
            {
                return failure.Message;
            }
        }

        return null;
    }

    private static bool HasCredential(HttpRequest request) =>
        RequestCredential.Token(request) is not null
        || request.Headers.ContainsKey(ControlPlaneAuthenticationHandler.Header)
        || AgentTokenAuthenticationHandler.Read(request) is not null
        || request.Cookies.ContainsKey(AdminCookieName);
}
