using System.Text.Json.Nodes;

namespace OrbitGrains.Rooms;

/// <summary>The frames the server itself writes to room sockets (everything else is a participant's frame, relayed).</summary>
public static class RoomFrames
{
    public static string Error(string code, string detail, string? refType = null)
    {
        var frame = new JsonObject { ["type"] = "error", ["code"] = code, ["detail"] = detail };
        if (refType is not null)
        {
            frame["ref"] = refType;
        }

        return frame.ToJsonString();
    }

    public static JsonObject Participant(ParticipantInfo participant) => new()
    {
        ["id"] = participant.Id,
        ["name"] = participant.Name,
        ["role"] = participant.Role,
        ["joined_at"] = participant.JoinedAt.ToString("O"),
    };

    public static string ParticipantJoined(string sessionId, ParticipantInfo participant) => new JsonObject
    {
        ["type"] = "participant_joined",
        ["session_id"] = sessionId,
        ["participant"] = Participant(participant),
    }.ToJsonString();

    public static string ParticipantLeft(string sessionId, string participantId, string reason) => new JsonObject
    {
        ["type"] = "participant_left",
        ["session_id"] = sessionId,
        ["participant_id"] = participantId,
        ["reason"] = reason,
    }.ToJsonString();

    public static string Control(string sessionId, string? holderId, string? holderName) => new JsonObject
    {
        ["type"] = "control",
        ["session_id"] = sessionId,
        ["holder"] = holderId,
        ["holder_name"] = holderName,
    }.ToJsonString();

    public static string EstopAck(long auditSequence, int delivered) => new JsonObject
    {
        ["type"] = "estop_ack",
        ["audit_sequence"] = auditSequence,
        ["delivered"] = delivered,
    }.ToJsonString();

    /// <summary>
    /// An emergency stop as every participant receives it, whoever sent it (docs/rooms.md): `from` is the sender's
    /// participant id (null through the admin API), `reason` null when none was given, `ts` when the room took it.
    /// </summary>
    public static string Estop(string? fromId, string fromName, string role, string? reason, DateTimeOffset at) => new JsonObject
    {
        ["type"] = "estop",
        ["from"] = fromId,
        ["from_name"] = fromName,
        ["role"] = role,
        ["reason"] = reason,
        ["ts"] = at.ToString("O"),
    }.ToJsonString();
}
