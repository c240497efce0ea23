namespace OrbitGrains.Rooms;

/// <summary>
/// One signaling room, keyed by session id ("global" is the legacy room every token-only socket shares).
/// Durable: that the room exists, and whether it is being recorded. In memory: who is connected where, and who
/// holds the control lock; sockets rejoin if that is lost.
/// </summary>
[Alias("OrbitGrains.Rooms.ISessionRoomGrain")]
public interface ISessionRoomGrain : IGrainWithStringKey
{
    /// <summary>
    /// Creates the room (idempotent); false if it already existed. <paramref name="ownerId"/> is the account of the
    /// person who created it (null for the admin token or a static token): the owner may hand out operator tokens for it.
    /// The audit log's `session_created` entry names the creator, their <paramref name="role"/> and <paramref name="address"/>.
    /// </summary>
    [Alias("CreateAudited")]
    Task<bool> Create(string createdBy, string? ownerId, string? name, string role, string? address);

    [Alias("Join")]
    Task<JoinResult> Join(RoomParticipant participant, IRoomHub hub);

    /// <summary>The socket left (leave message, close or a move to another room); the others hear of it.</summary>
    [Alias("Leave")]
    Task Leave(string connectionId, string reason);

    [Alias("Receive")]
    Task<ReceiveOutcome> Receive(string connectionId, RoomEnvelope message);

    /// <summary>
    /// The hub is alive and holds these sockets of the room. Sockets of hubs whose lease runs out are dropped;
    /// sockets the room does not know are closed (1012) so their peers rejoin.
    /// </summary>
    [Alias("RenewHub")]
    Task RenewHub(string hubId, IRoomHub hub, TimeSpan lease, string[] connectionIds);

    [Alias("Snapshot")]
    Task<RoomSnapshot> Snapshot();

    /// <summary>An estop from outside the room (an admin over HTTP): delivered and audited like one from a socket.</summary>
    [Alias("AdminEstop")]
    Task<int> AdminEstop(string actor, string? address, string? reason);

    /// <summary>Starts recording into a new recording, or returns the one already running.</summary>
    [Alias("StartRecording")]
    Task<string?> StartRecording(string actor);

    /// <summary>Stops recording; returns the recording that was stopped.</summary>
    [Alias("StopRecording")]
    Task<string?> StopRecording(string actor);

    [Alias("Recordings")]
    Task<string[]> Recordings();
}
