using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using OrbitGrains.Accounts;
using OrbitGrains.WebFrontend.Accounts;
using OrbitGrains.WebFrontend.Rooms;

namespace OrbitGrains.WebFrontend.Hosting.Access;

/// <summary><see cref="OrbitAuthSchemes.AnchorToken"/>: an Anchor's live access token of an account that accepts it.</summary>
public sealed class AnchorTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, AnchorTokenService tokens)
    : CredentialAuthenticationHandler(options, logger, encoder)
{
    public override async Task<ClaimsPrincipal?> ValidateAsync(string credential) =>
        await tokens.ValidateAccessAsync(credential) is { } access ? OrbitPrincipals.ForAnchor(access.UserId, access.FamilyId) : null;
}
