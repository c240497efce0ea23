using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using OrbitGrains.Accounts;
using OrbitGrains.WebFrontend.Accounts;
using OrbitGrains.WebFrontend.Rooms;

namespace OrbitGrains.WebFrontend.Hosting.Access;

/// <summary><see cref="OrbitAuthSchemes.RoomToken"/>: a signaling room token (rooms audience, not expired).</summary>
public sealed class RoomTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, RoomTokens tokens)
    : CredentialAuthenticationHandler(options, logger, encoder)
{
    public override async Task<ClaimsPrincipal?> ValidateAsync(string credential) =>
        await tokens.ValidateAsync(credential) is { } grant
            ? OrbitPrincipals.ForSignaling(OrbitAuthSchemes.RoomToken, grant.Name, OrbitGrains.Rooms.RoomRoles.Name(grant.Role), grant.Room)
            : null;
}
