using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using OrbitGrains.Accounts;
using OrbitGrains.WebFrontend.Accounts;
using OrbitGrains.WebFrontend.Rooms;

namespace OrbitGrains.WebFrontend.Hosting.Access;

/// <summary><see cref="OrbitAuthSchemes.StaticToken"/>: an AUTH_TOKENS entry, compared by hash in constant time.</summary>
public sealed class StaticTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, StaticTokens tokens)
    : CredentialAuthenticationHandler(options, logger, encoder)
{
    public override Task<ClaimsPrincipal?> ValidateAsync(string credential) => Task.FromResult(
        tokens.NameOf(credential) is { } name
            ? OrbitPrincipals.ForSignaling(OrbitAuthSchemes.StaticToken, name, OrbitGrains.Rooms.RoomRoles.Name(OrbitGrains.Rooms.RoomRole.Operator), null)
            : null);
}
