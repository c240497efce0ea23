namespace OrbitGrains.Rooms;

/// <summary>One open room socket as its room knows it: who, with which role, from where, held by which hub.</summary>
[GenerateSerializer, Immutable, Alias("OrbitGrains.Rooms.RoomParticipant")]
public sealed record RoomParticipant(
    [property: Id(0)] string ConnectionId,
    [property: Id(1)] string Name,
    [property: Id(2)] RoomRole Role,
    [property: Id(3)] string HubId,
    [property: Id(4)] string? Address);

/// <summary>
/// A validated message on its way to the room: the edge has checked its schema and written the frame that
/// recipients get (with the server-stamped sender), so the room only applies the rules and routes.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrbitGrains.Rooms.RoomEnvelope")]
public sealed record RoomEnvelope(
    [property: Id(0)] string Type,
    [property: Id(1)] string? To,
    [property: Id(2)] string Frame,
    [property: Id(3)] string? Action = null);

[GenerateSerializer, Immutable, Alias("OrbitGrains.Rooms.ParticipantInfo")]
public sealed record ParticipantInfo(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] string Role,
    [property: Id(3)] DateTimeOffset JoinedAt);

[GenerateSerializer, Immutable, Alias("OrbitGrains.Rooms.RoomSnapshot")]
public sealed record RoomSnapshot(
    [property: Id(0)] string SessionId,
    [property: Id(1)] bool Exists,
    [property: Id(2)] ParticipantInfo[] Participants,
    [property: Id(3)] string? ControlHolder,
    [property: Id(4)] string? RecordingId,
    [property: Id(5)] DateTimeOffset? CreatedAt,
    [property: Id(6)] string? Name,
    [property: Id(7)] string? OwnerId = null);

public enum JoinOutcome
{
    Joined,
    UnknownSession,
}

[GenerateSerializer, Immutable, Alias("OrbitGrains.Rooms.JoinResult")]
public sealed record JoinResult([property: Id(0)] JoinOutcome Outcome, [property: Id(1)] RoomSnapshot? Room);

/// <summary>What the room answers for one message; the socket acts on it without another round trip.</summary>
public enum ReceiveOutcome
{
    Routed,
    Refused,
    /// <summary>The room does not know this socket (its state was lost): the socket must close so its peer rejoins.</summary>
    UnknownConnection,
}

/// <summary>One audited event: who did what, with which role, when and from which address.</summary>
[GenerateSerializer, Immutable, Alias("OrbitGrains.Rooms.AuditEntry")]
public sealed record AuditEntry(
    [property: Id(0)] long Sequence,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] string Action,
    [property: Id(3)] string? SessionId,
    [property: Id(4)] string? Actor,
    [property: Id(5)] string? Role,
    [property: Id(6)] string? Address,
    [property: Id(7)] string? Detail);

[GenerateSerializer, Immutable, Alias("OrbitGrains.Rooms.AuditPage")]
public sealed record AuditPage([property: Id(0)] AuditEntry[] Entries, [property: Id(1)] long? NextAfter);

/// <summary>One recorded frame of a room, numbered in the order the room routed it.</summary>
[GenerateSerializer, Immutable, Alias("OrbitGrains.Rooms.RecordingEntry")]
public sealed record RecordingEntry(
    [property: Id(0)] long Sequence,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] string Type,
    [property: Id(3)] string? From,
    [property: Id(4)] string Frame);

[GenerateSerializer, Immutable, Alias("OrbitGrains.Rooms.RecordingPage")]
public sealed record RecordingPage(
    [property: Id(0)] string RecordingId,
    [property: Id(1)] string? SessionId,
    [property: Id(2)] bool Active,
    [property: Id(3)] RecordingEntry[] Entries,
    [property: Id(4)] long? NextAfter);

/// <summary>A room as the active-room index knows it.</summary>
[GenerateSerializer, Immutable, Alias("OrbitGrains.Rooms.ActiveRoom")]
public sealed record ActiveRoom([property: Id(0)] string SessionId, [property: Id(1)] int Participants);
