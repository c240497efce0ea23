using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;

namespace OrbitGrains.WebFrontend.Hosting.Access;

/// <summary>
/// Authenticates a credential that arrived in a message rather than in the request (the signaling socket's first
/// `{"token": ...}` frame) with the same selector and handlers as a request's.
/// </summary>
public static class TokenAuthenticator
{
    public static async Task<ClaimsPrincipal?> AuthenticateAsync(HttpContext context, string token)
    {
        token = token.Trim();
        if (token.Length is 0 or > RequestCredential.MaxLength)
        {
            return null;
        }

        var scheme = context.RequestServices.GetRequiredService<CredentialSelector>().SchemeFor(token);
        return await HandlerAsync(context, scheme) is { } handler ? await handler.ValidateAsync(token) : null;
    }

    /// <summary>The handler of a credential kind, bound to this request.</summary>
    public static async Task<CredentialAuthenticationHandler?> HandlerAsync(HttpContext context, string scheme) =>
        await context.RequestServices.GetRequiredService<IAuthenticationHandlerProvider>().GetHandlerAsync(context, scheme)
            as CredentialAuthenticationHandler;
}
