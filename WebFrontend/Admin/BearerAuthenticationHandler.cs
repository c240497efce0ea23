using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using OrbitGrains.WebFrontend.Hosting;

namespace OrbitGrains.WebFrontend.Admin;

/// <summary>
/// Authenticates `Authorization: Bearer`. Until Accounts lands the only bearer it knows is the admin token,
/// compared by hash in constant time. No header: no result (anonymous); a wrong token: failure (401).
/// </summary>
public sealed class BearerAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    OrbitSecrets secrets)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var token = ReadBearer(Request);
        if (token is null)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (!secrets.IsAdminToken(token))
        {
            return Task.FromResult(AuthenticateResult.Fail("Invalid bearer token."));
        }

        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(AdminPrincipal(Scheme.Name), Scheme.Name)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        return base.HandleChallengeAsync(properties);
    }

    public static ClaimsPrincipal AdminPrincipal(string scheme) => new(new ClaimsIdentity(
        [new Claim(ClaimTypes.Name, "admin"), new Claim(ClaimTypes.Role, OrbitAuthSchemes.AdminRole)],
        scheme, ClaimTypes.Name, ClaimTypes.Role));

    public static string? ReadBearer(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var token = header["Bearer ".Length..].Trim();
        return token.Length == 0 ? null : token;
    }
}
