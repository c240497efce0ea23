using Orleans.Concurrency;

namespace OrbitGrains.Rooms;

/// <summary>
/// The room sockets of one front-end silo, as room grains see them: one call per silo carries a frame to every
/// listed socket that silo holds, so a room's fan-out costs one message per silo, not one per participant.
/// </summary>
[Alias("OrbitGrains.Rooms.IRoomHub")]
public interface IRoomHub : IGrainObserver
{
    /// <summary>
    /// Queues one frame for each listed local socket except <paramref name="exceptConnectionId"/> (the sender).
    /// Frames of one <paramref name="roomId"/> reach each socket in the order they were sent.
    /// </summary>
    [OneWay, Alias("Deliver")]
    Task Deliver(string roomId, Immutable<string[]> connectionIds, string? exceptConnectionId, string frame);

    /// <summary>Sends what is queued to the socket, then closes it with this status.</summary>
    [OneWay, Alias("Close")]
    Task Close(string connectionId, int closeStatus, string reason);
}
