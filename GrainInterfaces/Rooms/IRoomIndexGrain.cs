namespace OrbitGrains.Rooms;

/// <summary>
/// Which rooms have participants, for the admin listing (key "active"). Rooms report when they gain their first
/// or lose their last participant; the listing asks each room for the truth, so a stale entry costs one call.
/// </summary>
[Alias("OrbitGrains.Rooms.IRoomIndexGrain")]
public interface IRoomIndexGrain : IGrainWithStringKey
{
    [Alias("Report")]
    Task Report(string sessionId, int participants);

    [Alias("Active")]
    Task<ActiveRoom[]> Active();
}
