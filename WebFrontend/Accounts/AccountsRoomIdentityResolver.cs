using OrbitGrains.Accounts;
using OrbitGrains.Rooms;
using OrbitGrains.WebFrontend.Rooms;

namespace OrbitGrains.WebFrontend.Accounts;

/// <summary>
/// Signed-in people join signaling rooms with their own web session or user token; their account role decides the
/// room role (admin, operator; anyone else may watch).
/// </summary>
public sealed class AccountsRoomIdentityResolver(WebTokenService webTokens, UserTokenService userTokens) : IRoomIdentityResolver
{
    public async ValueTask<RoomCaller?> ResolveAsync(string token, CancellationToken cancellationToken)
    {
        var user = token.Contains('.')
            ? (await webTokens.ValidateAsync(token))?.User
            : await userTokens.ValidateAsync(token);
        return user is null ? null : new RoomCaller(user.Name, RoleOf(user), CallerKind.User);
    }

    private static RoomRole RoleOf(UserRecord user) =>
        user.Roles.Contains(AccountRegistry.AdminRole) ? RoomRole.Admin
        : user.Roles.Contains(AccountRegistry.OperatorRole) ? RoomRole.Operator
        : RoomRole.Viewer;
}
