using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using OrbitGrains.WebFrontend.Accounts;
using OrbitGrains.WebFrontend.Hosting;

namespace OrbitGrains.WebFrontend.Admin;

/// <summary>
/// Authenticates `Authorization: Bearer`: the admin token (compared by hash in constant time), or a web access token
/// whose session is live, as its user with their roles. No header: no result (anonymous); a wrong token: failure (401).
/// </summary>
public sealed class BearerAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    OrbitSecrets secrets,
    WebTokenService webTokens,
    UserTokenService userTokens)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SubjectClaim = "sub";
    public const string NameClaim = "name";
    public const string SessionClaim = "jti";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var token = ReadBearer(Request);
        if (token is null)
        {
            return AuthenticateResult.NoResult();
        }

        if (secrets.IsAdminToken(token))
        {
            return AuthenticateResult.Success(new AuthenticationTicket(AdminPrincipal(Scheme.Name), Scheme.Name));
        }

        if (await webTokens.ValidateAsync(token) is { } identity)
        {
            // Endpoints that need more than the claims (the Accounts routes) take it from here instead of asking the grains again.
            Context.Items[typeof(WebIdentity)] = identity;
            return AuthenticateResult.Success(new AuthenticationTicket(UserPrincipal(identity.User, identity.SessionId, Scheme.Name), Scheme.Name));
        }

        // A bearer user token (opaque, no dots) stands for its user too: one authentication layer for every family.
        return !token.Contains('.') && await userTokens.ValidateAsync(token) is { } user
            ? AuthenticateResult.Success(new AuthenticationTicket(UserPrincipal(user, sessionId: null, Scheme.Name), Scheme.Name))
            : AuthenticateResult.Fail("Invalid bearer token.");
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        return base.HandleChallengeAsync(properties);
    }

    public static ClaimsPrincipal AdminPrincipal(string scheme) => new(new ClaimsIdentity(
        [new Claim(ClaimTypes.Name, "admin"), new Claim(ClaimTypes.Role, OrbitAuthSchemes.AdminRole)],
        scheme, ClaimTypes.Name, ClaimTypes.Role));

    public static ClaimsPrincipal UserPrincipal(OrbitGrains.Accounts.UserRecord user, string? sessionId, string scheme) => new(new ClaimsIdentity(
        [
            new Claim(SubjectClaim, user.Id),
            new Claim(NameClaim, user.Name),
            .. sessionId is null ? Array.Empty<Claim>() : [new Claim(SessionClaim, sessionId)],
            .. user.Roles.Select(role => new Claim(ClaimTypes.Role, role)),
        ],
        scheme, NameClaim, ClaimTypes.Role));

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
