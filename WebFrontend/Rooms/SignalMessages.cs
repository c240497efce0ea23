using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using OrbitGrains.Rooms;
using OrbitGrains.Shared;

namespace OrbitGrains.WebFrontend.Rooms;

/// <summary>What one inbound text frame turned out to be, after its schema was checked.</summary>
public abstract record SignalFrame
{
    /// <summary>The frame broke its schema: the sender gets an error frame; nothing is relayed.</summary>
    public sealed record Invalid(string Code, string Detail, string? Type) : SignalFrame;

    /// <summary>{"token": ...} without a type: the original clients' auth message, consumed here.</summary>
    public sealed record Auth(string Token) : SignalFrame;

    public sealed record Join(string SessionId) : SignalFrame;

    public sealed record Leave : SignalFrame;

    /// <summary>A typed message for the room, with the frame recipients get.</summary>
    public sealed record Routed(RoomEnvelope Envelope) : SignalFrame;
}

/// <summary>
/// The schema of every message type. Checked at the edge, before any grain call, so garbage costs the cluster
/// nothing; the sender's identity in relayed frames is stamped here and cannot be forged by the client.
/// </summary>
public static partial class SignalMessages
{
    public const string LegacyType = "legacy";
    private const int MaxSdpChars = 60_000;
    private const int MaxIdLength = 64;

    public static readonly IReadOnlySet<string> Types = new HashSet<string>(StringComparer.Ordinal)
    {
        "join", "offer", "answer", "ice", "telemetry", "leave", "estop", "control", "command",
    };

    /// <summary>The shape a session_id must have to be read at all; <see cref="IsSessionId"/> decides whether it can name a room.</summary>
    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    public static partial Regex SessionIdPattern();

    /// <summary>
    /// True for an id a room can have: the legacy global room, or a session id exactly as POST /api/session issued it.
    /// Any other spelling (upper case, say) is an unknown session, never a second copy of a live room.
    /// </summary>
    public static bool IsSessionId(string? id) => id == SessionRoomGrain.GlobalRoom || IssuedIds.IsCanonical(id);

    /// <summary>True for a recording id exactly as a room issued it (<see cref="SessionRoomGrain.RecordingPrefix"/>).</summary>
    public static bool IsRecordingId(string? id) => IssuedIds.IsCanonical(id, SessionRoomGrain.RecordingPrefix);

    /// <param name="frame">A message as <see cref="Sockets.Frames"/> read it.</param>
    /// <param name="legacyRoom">
    /// In the legacy global room, text that is not a JSON object is relayed untouched, as the original did; JSON that
    /// cannot be read unambiguously (a member twice, a broken string) is refused there too.
    /// </param>
    public static SignalFrame Parse(Sockets.InboundFrame frame, RoomParticipant sender, bool legacyRoom)
    {
        if (frame.Kind == Sockets.FrameKind.Unreadable)
        {
            return new SignalFrame.Invalid("invalid_json", $"The message {frame.Problem}.", null);
        }

        if (!frame.IsObject || JsonNode.Parse(frame.Text, documentOptions: new JsonDocumentOptions { MaxDepth = Sockets.Frames.MaxDepth }) is not JsonObject message)
        {
            return legacyRoom ? Opaque(frame.Text) : new SignalFrame.Invalid("invalid_json", "Messages must be JSON objects.", null);
        }

        if (!message.ContainsKey("type") && message["token"] is JsonValue tokenValue && tokenValue.TryGetValue<string>(out var token))
        {
            return new SignalFrame.Auth(token);
        }

        if (message["type"] is not JsonValue typeValue || !typeValue.TryGetValue<string>(out var type) || type.Length == 0)
        {
            return legacyRoom ? Opaque(frame.Text) : new SignalFrame.Invalid("invalid_message", "Messages need a string 'type'.", null);
        }

        if (!Types.Contains(type))
        {
            return legacyRoom ? Opaque(frame.Text)
                : new SignalFrame.Invalid("unknown_type", $"Unknown message type '{Truncate(type)}'; expected one of {string.Join(", ", Types)}.", Truncate(type));
        }

        if (Check(type, message) is { } problem)
        {
            return new SignalFrame.Invalid("invalid_message", problem, type);
        }

        switch (type)
        {
            case "join":
                return new SignalFrame.Join((string)message["session_id"]!);
            case "leave":
                return new SignalFrame.Leave();
        }

        var to = message["to"] is JsonValue toValue ? (string?)toValue : null;
        message["from"] = sender.ConnectionId;
        message["from_name"] = sender.Name;
        message["role"] = RoomRoles.Name(sender.Role);
        var action = type == "control" ? (string?)message["action"] : null;
        return new SignalFrame.Routed(new RoomEnvelope(type, to, message.ToJsonString(), action));
    }

    /// <summary>Why the message breaks its type's schema, or null when it is valid.</summary>
    private static string? Check(string type, JsonObject message)
    {
        if (message.ContainsKey("to") && (message["to"] is not JsonValue to || !to.TryGetValue<string>(out var target) || target.Length is 0 or > MaxIdLength))
        {
            return "'to' must be a participant id.";
        }

        return type switch
        {
            "join" => message["session_id"] is JsonValue s && s.TryGetValue<string>(out var id) && SessionIdPattern().IsMatch(id)
                ? null : "join needs 'session_id' (1-64 letters, digits, '-' or '_').",
            "leave" => null,
            "offer" or "answer" => message["sdp"] is JsonValue sdp && sdp.TryGetValue<string>(out var text) && text.Length is > 0 and <= MaxSdpChars
                ? null : $"{type} needs 'sdp', a non-empty string.",
            "ice" => CheckCandidate(message),
            "telemetry" or "command" => message["data"] is JsonObject ? null : $"{type} needs 'data', a JSON object.",
            "estop" => !message.ContainsKey("reason") || message["reason"] is null || (message["reason"] is JsonValue r && r.TryGetValue<string>(out var reason) && reason.Length <= 500)
                ? null : "estop 'reason' must be a string of at most 500 characters.",
            "control" => message["action"] is JsonValue a && a.TryGetValue<string>(out var act) && act is "acquire" or "release"
                ? null : "control needs 'action': 'acquire' or 'release'.",
            _ => null,
        };
    }

    private static string? CheckCandidate(JsonObject message)
    {
        var candidate = message["candidate"] switch
        {
            JsonValue v when v.TryGetValue<string>(out var line) => line,
            JsonObject o when o["candidate"] is JsonValue v && v.TryGetValue<string>(out var line) => line,
            _ => null,
        };
        if (candidate is null)
        {
            return "ice needs 'candidate': a candidate string, or an object with a 'candidate' string.";
        }

        if (message["candidate"] is JsonObject init && init["sdpMLineIndex"] is { } index
            && (index is not JsonValue n || !n.TryGetValue<int>(out var mLine) || mLine < 0))
        {
            return "ice 'sdpMLineIndex' must be a whole number from 0.";
        }

        return null;
    }

    private static SignalFrame Opaque(string frame) => new SignalFrame.Routed(new RoomEnvelope(LegacyType, null, frame));

    private static string Truncate(string text) => text.Length <= 64 ? text : text[..64];
}
