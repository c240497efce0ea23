using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using OrbitGrains.WebFrontend.Hosting.Bodies;

namespace OrbitGrains.WebFrontend.Rooms;

// Request bodies of the signaling family's routes ({"detail"} errors, 16 KiB, member names as in spec/signaling.md).
// Every body is optional: an empty one reads as {}. Multi-word members carry their name ([JsonPropertyName]) so that the
// OpenAPI document, generated with the web defaults rather than this context's policy, names what the routes read.

/// <summary>POST /api/login: the role asked for, an optional display name, and an optional room (session_id) the token is for.</summary>
public sealed record RoomLoginRequest(string? Role = null, string? Name = null, [property: JsonPropertyName("session_id")] string? SessionId = null)
    : IRequestBody<RoomLoginRequest>
{
    public static JsonTypeInfo<RoomLoginRequest> JsonTypeInfo => RoomRequestJson.Default.RoomLoginRequest;
    public static int MaxBytes => RoomRequests.MaxBytes;
}

/// <summary>POST /api/session: an optional room name.</summary>
public sealed record RoomSessionRequest(string? Name = null) : IRequestBody<RoomSessionRequest>
{
    public static JsonTypeInfo<RoomSessionRequest> JsonTypeInfo => RoomRequestJson.Default.RoomSessionRequest;
    public static int MaxBytes => RoomRequests.MaxBytes;
}

/// <summary>POST /api/admin/rooms/{session_id}/estop: an optional reason.</summary>
public sealed record RoomEstopRequest(string? Reason = null) : IRequestBody<RoomEstopRequest>
{
    public static JsonTypeInfo<RoomEstopRequest> JsonTypeInfo => RoomRequestJson.Default.RoomEstopRequest;
    public static int MaxBytes => RoomRequests.MaxBytes;
}

public static class RoomRequests
{
    public const int MaxBytes = 16 * 1024;
}

// Case-insensitive, as the original service's framework read them.
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, PropertyNameCaseInsensitive = true, AllowDuplicateProperties = false)]
[JsonSerializable(typeof(RoomLoginRequest))]
[JsonSerializable(typeof(RoomSessionRequest))]
[JsonSerializable(typeof(RoomEstopRequest))]
internal sealed partial class RoomRequestJson : JsonSerializerContext;
