using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using OrbitGrains.Accounts;
using OrbitGrains.WebFrontend.Accounts;
using OrbitGrains.WebFrontend.Rooms;

namespace OrbitGrains.WebFrontend.Hosting.Access;

/// <summary><see cref="OrbitAuthSchemes.UserToken"/>: an opaque bearer user token that is live (each use is recorded).</summary>
public sealed class UserTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, UserTokenService tokens)
    : CredentialAuthenticationHandler(options, logger, encoder)
{
    public override async Task<ClaimsPrincipal?> ValidateAsync(string credential)
    {
        if (await tokens.ValidateAsync(credential) is not { } user)
        {
            return null;
        }

        Context.SetAccount(user);
        return OrbitPrincipals.ForUser(user, OrbitAuthSchemes.UserToken, tokenHash: TokenHash.Of(credential));
    }
}
