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

/// <summary><see cref="OrbitAuthSchemes.AnchorToken"/>: an Anchor's live access token of an account that accepts it.</summary>
public sealed class AnchorTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, AnchorTokenService tokens)
    : CredentialAuthenticationHandler(options, logger, encoder)
{
    public override async Task<ClaimsPrincipal?> ValidateAsync(string credential) =>
        await tokens.ValidateAccessAsync(credential) is { } access ? OrbitPrincipals.ForAnchor(access.UserId, access.FamilyId) : null;
}

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

/// <summary><see cref="OrbitAuthSchemes.AdminToken"/>: the ADMIN_TOKEN, compared by hash in constant time.</summary>
public sealed class AdminTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, OrbitSecrets secrets)
    : CredentialAuthenticationHandler(options, logger, encoder)
{
    public override Task<ClaimsPrincipal?> ValidateAsync(string credential) =>
        Task.FromResult(secrets.IsAdminToken(credential) ? OrbitPrincipals.ForAdmin(OrbitAuthSchemes.AdminToken) : null);
}

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
