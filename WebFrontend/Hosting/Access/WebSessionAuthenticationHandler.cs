using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using OrbitGrains.Accounts;
using OrbitGrains.WebFrontend.Accounts;
using OrbitGrains.WebFrontend.Rooms;

namespace OrbitGrains.WebFrontend.Hosting.Access;

/// <summary><see cref="OrbitAuthSchemes.WebSession"/>: a web access token whose session is live and whose account accepts it.</summary>
public sealed class WebSessionAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, WebTokenService tokens)
    : CredentialAuthenticationHandler(options, logger, encoder)
{
    public override async Task<ClaimsPrincipal?> ValidateAsync(string credential)
    {
        if (await tokens.ValidateAsync(credential) is not { } identity)
        {
            return null;
        }

        Context.SetAccount(identity.User);
        return OrbitPrincipals.ForUser(identity.User, OrbitAuthSchemes.WebSession, identity.SessionId, identity.FamilyId);
    }
}
