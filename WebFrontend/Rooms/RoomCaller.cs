using OrbitGrains.Rooms;

namespace OrbitGrains.WebFrontend.Rooms;

public enum CallerKind
{
    /// <summary>One of the AUTH_TOKENS.</summary>
    StaticToken,
    /// <summary>The ADMIN_TOKEN bearer.</summary>
    AdminToken,
    /// <summary>A room token issued by /api/login.</summary>
    RoomToken,
    /// <summary>A user of the account system (plugged in by Accounts).</summary>
    User,
}

/// <summary>Who a bearer is, as far as signaling cares: a display name, a room role, and what kind of credential it was.</summary>
public sealed record RoomCaller(string Name, RoomRole Role, CallerKind Kind);

/// <summary>
/// Answers "who is this bearer?" for one kind of credential, or null when the token is not of that kind or not
/// valid. Several are registered; the first answer wins. Accounts adds one for user JWTs without touching Rooms.
/// </summary>
public interface IRoomIdentityResolver
{
    ValueTask<RoomCaller?> ResolveAsync(string token, CancellationToken cancellationToken);
}
