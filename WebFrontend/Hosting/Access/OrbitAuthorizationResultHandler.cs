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

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Succeeded)
        {
            return next(context);
        }

        var refusal = authorizeResult.Forbidden ? Refusal.Forbidden
            : HasCredential(context.Request) ? Refusal.InvalidCredential
            : Refusal.NoCredential;
        return AccessRefusals.WriteAsync(context, refusal);
    }

    private static bool HasCredential(HttpRequest request) =>
        RequestCredential.Token(request) is not null
        || request.Headers.ContainsKey(ControlPlaneAuthenticationHandler.Header)
        || request.Cookies.ContainsKey(AdminCookieName);
}
