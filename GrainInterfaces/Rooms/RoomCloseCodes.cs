namespace OrbitGrains.Rooms;

/// <summary>WebSocket close codes of the signaling protocol beyond the standard ones.</summary>
public static class RoomCloseCodes
{
    /// <summary>The token was missing, invalid or expired (the original's documented code).</summary>
    public const int Unauthorized = 4401;

    /// <summary>The token is for another room (a room token scoped with session_id).</summary>
    public const int Forbidden = 4403;

    /// <summary>The person's account roles changed: join again to get the room role that goes with them.</summary>
    public const int RoleChanged = 4409;

    /// <summary>The session named by session_id does not exist.</summary>
    public const int UnknownSession = 4404;

    /// <summary>The room lost this socket's registration (its silo restarted); reconnect and join again.</summary>
    public const int ServiceRestart = 1012;

    public const int PolicyViolation = 1008;
}
