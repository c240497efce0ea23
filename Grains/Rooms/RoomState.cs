namespace OrbitGrains.Rooms;

/// <summary>What a room keeps across restarts; presence is deliberately not part of it.</summary>
[GenerateSerializer, Alias("OrbitGrains.Rooms.RoomState")]
public sealed class RoomState
{
    [Id(0)] public bool Created { get; set; }
    [Id(1)] public DateTimeOffset? CreatedAt { get; set; }
    [Id(2)] public string? CreatedBy { get; set; }
    [Id(3)] public string? Name { get; set; }

    /// <summary>The recording in progress; the room keeps recording after a restart.</summary>
    [Id(4)] public string? RecordingId { get; set; }

    [Id(5)] public List<string> Recordings { get; set; } = [];

    /// <summary>The account that created the room; null when a credential that names no person did.</summary>
    [Id(6)] public string? OwnerId { get; set; }
}
