namespace OrbitGrains.Rooms;

/// <summary>
/// The rooms one account created, keyed by the owner's user id: what `GET /api/rooms` lists. Newest first, at most
/// <see cref="MaxRooms"/> (the oldest fall off the list; the rooms themselves stay).
/// </summary>
[Alias("OrbitGrains.Rooms.IOwnedRoomsGrain")]
public interface IOwnedRoomsGrain : IGrainWithStringKey
{
    const int MaxRooms = 200;

    /// <summary>Records a room the account created (idempotent for one session id).</summary>
    [Alias("Add")]
    Task Add(OwnedRoom room);

    /// <summary>The account's rooms, newest first.</summary>
    [Alias("List")]
    Task<OwnedRoom[]> List();
}

/// <summary>A room in its owner's list: its session id as issued, its optional name, and when it was created.</summary>
[GenerateSerializer, Immutable, Alias("OrbitGrains.Rooms.OwnedRoom")]
public sealed record OwnedRoom([property: Id(0)] string SessionId, [property: Id(1)] string? Name, [property: Id(2)] DateTimeOffset CreatedAt);
