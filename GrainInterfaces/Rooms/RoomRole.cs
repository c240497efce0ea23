namespace OrbitGrains.Rooms;

/// <summary>
/// What a participant may do in a room. Viewers receive (and negotiate their own media); operators drive and may
/// stop; admins may do everything; the robot publishes telemetry and is the first to hear an estop.
/// </summary>
public enum RoomRole
{
    Viewer,
    Operator,
    Admin,
    Robot,
}

public static class RoomRoles
{
    public static string Name(RoomRole role) => role switch
    {
        RoomRole.Viewer => "viewer",
        RoomRole.Operator => "operator",
        RoomRole.Admin => "admin",
        RoomRole.Robot => "robot",
        _ => "viewer",
    };

    public static bool TryParse(string? text, out RoomRole role)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "viewer": role = RoomRole.Viewer; return true;
            case "operator": role = RoomRole.Operator; return true;
            case "admin": role = RoomRole.Admin; return true;
            case "robot": role = RoomRole.Robot; return true;
            default: role = RoomRole.Viewer; return false;
        }
    }

    public static bool MayStop(RoomRole role) => role is RoomRole.Operator or RoomRole.Admin;
}
