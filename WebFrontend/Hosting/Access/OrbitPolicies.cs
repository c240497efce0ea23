using Microsoft.AspNetCore.Authorization;
using OrbitGrains.Accounts;

namespace OrbitGrains.WebFrontend.Hosting.Access;

/// <summary>
/// The authorization policies, by name, that route groups declare (`.RequireAuthorization(OrbitPolicies.Operator)`).
/// Every endpoint that declares none gets <see cref="Fallback"/> (an authenticated caller); public ones say
/// `.AllowAnonymous()`. The role policies accept any kind the <see cref="OrbitAuthSchemes.Default"/> selector picks;
/// the kind policies accept one credential kind only.
/// </summary>
public static class OrbitPolicies
{
    /// <summary>Any signed-in person (every account is a member).</summary>
    public const string Member = "member";

    /// <summary>Operator or admin role.</summary>
    public const string Operator = "operator";

    public const string Admin = "admin";

    /// <summary>A web session token only (the relay's client socket and its artifacts: spec orbit.md).</summary>
    public const string WebSession = "web-session";

    /// <summary>An Anchor access token only (`/ws/anchor`).</summary>
    public const string Anchor = "anchor";

    /// <summary>A bearer user token only (`/v1/user-token/rotate` and `/revoke`: spec jarvis.md).</summary>
    public const string UserToken = "user-token";

    /// <summary>An agent token in `X-Agent-Token` only (the agent runtime routes: spec jarvis.md).</summary>
    public const string AgentToken = "agent-token";

    /// <summary>CONTROL_PLANE_TOKEN only (`/v1/user-token/issue`).</summary>
    public const string ControlPlane = "control-plane";

    /// <summary>Endpoints that declare nothing: an authenticated caller of any kind the selector picks.</summary>
    public static AuthorizationPolicy Fallback { get; } = Build(OrbitAuthSchemes.Default).Build();

    public static void Register(AuthorizationBuilder authorization)
    {
        authorization.SetFallbackPolicy(Fallback);
        // `.RequireAuthorization()` without a name means the same: an authenticated caller of any kind.
        authorization.SetDefaultPolicy(Fallback);
        authorization.AddPolicy(Member, Build(OrbitAuthSchemes.Default).RequireRole(AccountRoles.Member).Build());
        authorization.AddPolicy(Operator, Build(OrbitAuthSchemes.Default).RequireRole(AccountRoles.Operator, AccountRoles.Admin).Build());
        authorization.AddPolicy(Admin, Build(OrbitAuthSchemes.Default).RequireRole(AccountRoles.Admin).Build());
        authorization.AddPolicy(WebSession, Build(OrbitAuthSchemes.WebSession).Build());
        authorization.AddPolicy(Anchor, Build(OrbitAuthSchemes.AnchorToken).Build());
        authorization.AddPolicy(UserToken, Build(OrbitAuthSchemes.UserToken).Build());
        authorization.AddPolicy(AgentToken, Build(OrbitAuthSchemes.AgentToken).Build());
        authorization.AddPolicy(ControlPlane, Build(OrbitAuthSchemes.ControlPlane).Build());
        authorization.AddPolicy(UserStreamTickets.Policy, UserStreamTickets.BuildPolicy());
    }

    /// <summary>An authenticated caller proved by the given schemes.</summary>
    public static AuthorizationPolicyBuilder Build(params string[] schemes) =>
        new AuthorizationPolicyBuilder(schemes).RequireAuthenticatedUser();
}
