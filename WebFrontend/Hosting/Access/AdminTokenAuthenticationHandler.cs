using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using OrbitGrains.Accounts;
using OrbitGrains.WebFrontend.Accounts;
using OrbitGrains.WebFrontend.Rooms;

namespace OrbitGrains.WebFrontend.Hosting.Access;

/// <summary><see cref="OrbitAuthSchemes.AdminToken"/>: the ADMIN_TOKEN, compared by hash in constant time.</summary>
public sealed class AdminTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, OrbitSecrets secrets)
    : CredentialAuthenticationHandler(options, logger, encoder)
{
    public override Task<ClaimsPrincipal?> ValidateAsync(string credential) =>
        Task.FromResult(secrets.IsAdminToken(credential) ? OrbitPrincipals.ForAdmin(OrbitAuthSchemes.AdminToken) : null);
}
