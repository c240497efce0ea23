using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using OrbitGrains.Accounts;
using OrbitGrains.WebFrontend.Accounts;
using OrbitGrains.WebFrontend.Rooms;

namespace OrbitGrains.WebFrontend.Hosting.Access;

/// <summary><see cref="OrbitAuthSchemes.ControlPlane"/>: CONTROL_PLANE_TOKEN in `X-Control-Plane-Token` (spec: jarvis.md).</summary>
public sealed class ControlPlaneAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ControlPlaneToken token)
    : CredentialAuthenticationHandler(options, logger, encoder)
{
    public const string Header = "X-Control-Plane-Token";

    protected override string? ReadCredential() => Request.Headers[Header].ToString() is { Length: > 0 } value ? value : null;

    public override Task<ClaimsPrincipal?> ValidateAsync(string credential) =>
        Task.FromResult(token.Matches(credential) ? OrbitPrincipals.ForControlPlane() : null);
}
