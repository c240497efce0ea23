using System.Security.Claims;

namespace OrbitGrains.WebFrontend.Hosting.Access;

/// <summary>The claim types of the one principal every credential kind produces (read through <see cref="CurrentUser"/>).</summary>
public static class OrbitClaims
{
    /// <summary>The user id (JWT `sub`); absent for credentials that name no person (admin token, static tokens).</summary>
    public const string Subject = "sub";

    public const string Name = "name";

    public const string Role = ClaimTypes.Role;

    /// <summary>The credential kind: one of <see cref="OrbitAuthSchemes"/>.</summary>
    public const string Credential = "cred";

    /// <summary>The web session (JWT `jti`).</summary>
    public const string Session = "sid";

    /// <summary>The token family (sign-in) the credential was grown from.</summary>
    public const string Family = "fam";

    /// <summary>SHA-256 hex of an opaque bearer user token, so the token can revoke itself.</summary>
    public const string TokenHash = "tok";

    /// <summary>The signaling role a room token or static token carries.</summary>
    public const string RoomRole = "room_role";

    /// <summary>The one room a room token is for; absent when it is good for any room.</summary>
    public const string RoomScope = "room";
}
