using System.Security.Claims;
using OrbitGrains.Accounts;
using OrbitGrains.Rooms;
using OrbitGrains.WebFrontend.Hosting.Access;

namespace OrbitGrains.WebFrontend.Rooms;

public enum CallerKind
{
    /// <summary>One of the AUTH_TOKENS.</summary>
    StaticToken,
    /// <summary>The ADMIN_TOKEN bearer (or the admin's browser session).</summary>
    AdminToken,
    /// <summary>A room token issued by /api/login.</summary>
    RoomToken,
    /// <summary>A person of the account system (web session token or bearer user token).</summary>
    User,
}

/// <summary>
/// Who a caller is, as far as signaling cares: a display name, a room role, the credential kind, the account (for a
/// person) and, for a room token, the one room it is for.
/// </summary>
/// <param name="Room">The only room a scoped room token may join; null for any room.</param>
public sealed record RoomCaller(string Name, RoomRole Role, CallerKind Kind, string? UserId = null, string? Room = null)
{
    /// <summary>Whether this caller may enter <paramref name="roomId"/> at all.</summary>
    public bool MayEnter(string roomId) => Room is null || Room == roomId;

    /// <summary>
    /// The highest role this caller holds in a room, the one rule behind both `POST /api/login` (no token above it) and
    /// the socket (a person's own token joins with it). A person's operator role drives the rooms they own only: in
    /// anyone else's they watch, as with the viewer token /api/login would give them there. Admins, static tokens and
    /// room tokens (whose role was checked when it was issued) hold their own role everywhere they may enter.
    /// </summary>
    /// <param name="ownerId">
    /// The room's owner (<see cref="RoomSnapshot.OwnerId"/>); null for a room no person owns (the legacy global room, a
    /// room created with a shared or the admin token) and for a token that is not for one room.
    /// </param>
    public RoomRole RoleIn(string? ownerId) =>
        Kind == CallerKind.User && Role != RoomRole.Admin && (ownerId is null || ownerId != UserId) ? RoomRole.Viewer : Role;

    /// <summary>Whether <see cref="RoleIn"/> depends on the room's owner, so a join needs to look it up.</summary>
    public bool RoleDependsOnOwner => Kind == CallerKind.User && Role is not (RoomRole.Admin or RoomRole.Viewer);

    /// <summary>The caller behind a principal of the authentication layer; null for kinds that have nothing to do in rooms.</summary>
    public static RoomCaller? From(ClaimsPrincipal principal)
    {
        if (CurrentUser.From(principal) is not { } user)
        {
            return null;
        }

        return user.Kind switch
        {
            OrbitAuthSchemes.AdminToken or OrbitAuthSchemes.AdminCookie => new RoomCaller("admin", RoomRole.Admin, CallerKind.AdminToken),
            OrbitAuthSchemes.StaticToken => new RoomCaller(user.Name, RoomRole.Operator, CallerKind.StaticToken),
            OrbitAuthSchemes.RoomToken when RoomRoles.TryParse(principal.FindFirst(OrbitClaims.RoomRole)?.Value, out var role) =>
                new RoomCaller(user.Name, role, CallerKind.RoomToken, Room: principal.FindFirst(OrbitClaims.RoomScope)?.Value),
            OrbitAuthSchemes.WebSession or OrbitAuthSchemes.UserToken when user.Id is { } id => new RoomCaller(user.Name, RoleOf(user.Roles), CallerKind.User, id),
            _ => null,
        };
    }

    /// <summary>A person's room role follows their account: admin, operator, and any other member watches.</summary>
    public static RoomRole RoleOf(IReadOnlyList<string> roles) =>
        roles.Contains(AccountRoles.Admin) ? RoomRole.Admin
        : roles.Contains(AccountRoles.Operator) ? RoomRole.Operator
        : RoomRole.Viewer;
}
