using System.Security.Claims;
using OrbitGrains.Accounts;

namespace OrbitGrains.WebFrontend.Hosting.Access;

/// <summary>The one principal shape every credential kind produces (claims: <see cref="OrbitClaims"/>).</summary>
public static class OrbitPrincipals
{
    /// <summary>A person: member, plus the roles an admin granted.</summary>
    public static ClaimsPrincipal ForUser(UserRecord user, string kind, string? sessionId = null, string? familyId = null, string? tokenHash = null) =>
        Create(kind,
        [
            new Claim(OrbitClaims.Subject, user.Id),
            new Claim(OrbitClaims.Name, user.Name),
            new Claim(OrbitClaims.Role, AccountRoles.Member),
            .. user.Roles.Select(role => new Claim(OrbitClaims.Role, role)),
            .. Optional(OrbitClaims.Session, sessionId),
            .. Optional(OrbitClaims.Family, familyId),
            .. Optional(OrbitClaims.TokenHash, tokenHash),
        ]);

    /// <summary>An Anchor acts for its user on the relay only: it has the user id and no product role.</summary>
    public static ClaimsPrincipal ForAnchor(string userId, string? familyId) =>
        Create(OrbitAuthSchemes.AnchorToken, [new Claim(OrbitClaims.Subject, userId), new Claim(OrbitClaims.Name, userId), .. Optional(OrbitClaims.Family, familyId)]);

    /// <summary>The admin token (or the browser session it opened): admin, naming no person.</summary>
    public static ClaimsPrincipal ForAdmin(string kind) =>
        Create(kind, [new Claim(OrbitClaims.Name, "admin"), new Claim(OrbitClaims.Role, AccountRoles.Admin)]);

    /// <summary>A signaling credential that names no person: a static token or a room token, with its room role.</summary>
    public static ClaimsPrincipal ForSignaling(string kind, string name, string roomRole, string? roomScope) =>
        Create(kind, [new Claim(OrbitClaims.Name, name), new Claim(OrbitClaims.RoomRole, roomRole), .. Optional(OrbitClaims.RoomScope, roomScope)]);

    /// <summary>A trusted machine-to-machine caller (CONTROL_PLANE_TOKEN).</summary>
    public static ClaimsPrincipal ForControlPlane() => Create(OrbitAuthSchemes.ControlPlane, [new Claim(OrbitClaims.Name, "control-plane")]);

    private static ClaimsPrincipal Create(string kind, Claim[] claims) =>
        new(new ClaimsIdentity([.. claims, new Claim(OrbitClaims.Credential, kind)], kind, OrbitClaims.Name, OrbitClaims.Role));

    private static Claim[] Optional(string type, string? value) => value is null ? [] : [new Claim(type, value)];
}
