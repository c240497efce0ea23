using System.Text.Json;
using System.Text.Json.Nodes;

namespace OrbitGrains.Relay;

/// <summary>
/// A frame of the Orbit protocol, parsed once and classified: a control message (`type`), or JSON-RPC
/// (a request has `id` and `method`, a response `id` only, a notification `method` only).
/// </summary>
public sealed class RelayMessage
{
    private static readonly JsonNodeOptions NodeOptions = new() { PropertyNameCaseInsensitive = false };
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64 };

    private static readonly string[][] ThreadPaths =
    [
        ["params", "threadId"], ["params", "thread_id"], ["result", "threadId"], ["result", "thread_id"],
        ["params", "thread", "id"], ["result", "thread", "id"], ["params", "item", "threadId"], ["params", "item", "thread_id"],
    ];

    private static readonly string[][] AnchorPaths =
    [
        ["params", "anchorId"], ["params", "anchor_id"], ["result", "anchorId"], ["result", "anchor_id"],
        ["params", "anchor", "id"], ["result", "anchor", "id"], ["params", "item", "anchorId"], ["params", "item", "anchor_id"],
    ];

    private RelayMessage(JsonObject json)
    {
        Json = json;
        Type = json["type"] is JsonValue type && type.TryGetValue<string>(out var text) ? text : null;
        Id = json["id"];
        Method = json["method"] is JsonValue method && method.TryGetValue<string>(out var name) ? name : null;
        ThreadId = FirstId(json, ThreadPaths);
        AnchorId = FirstId(json, AnchorPaths);
    }

    public JsonObject Json { get; }

    /// <summary>The control message type (`orbit.subscribe`, `anchor.hello`, ...), or null for JSON-RPC.</summary>
    public string? Type { get; }

    public JsonNode? Id { get; }

    /// <summary>The id as typed JSON text: numeric 1 and string "1" are different requests.</summary>
    public string? IdKey => Id?.ToJsonString();

    public string? Method { get; }

    public string? ThreadId { get; }

    public string? AnchorId { get; }

    public bool IsResponse => Id is not null && Method is null;

    public bool IsRequest => Id is not null && Method is not null;

    /// <summary>Parses a text frame; null when it is not a JSON object (the caller answers with an error frame).</summary>
    public static RelayMessage? TryParse(string frame)
    {
        try
        {
            return JsonNode.Parse(frame, NodeOptions, DocumentOptions) is JsonObject json ? new RelayMessage(json) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A string or integer value at the first matching path, trimmed; booleans and blanks do not count.</summary>
    public static string? FirstId(JsonObject json, string[][] paths)
    {
        foreach (var path in paths)
        {
            JsonNode? node = json;
            foreach (var segment in path)
            {
                node = node is JsonObject obj ? obj[segment] : null;
                if (node is null)
                {
                    break;
                }
            }

            if (node is not JsonValue value)
            {
                continue;
            }

            switch (value.GetValueKind())
            {
                case JsonValueKind.String when value.GetValue<string>().Trim() is { Length: > 0 } text:
                    return text;
                case JsonValueKind.Number when value.TryGetValue<long>(out var number):
                    return number.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return null;
    }

    /// <summary>A string member of a control message, trimmed; null when absent, blank or not a string.</summary>
    public string? Text(string name) =>
        Json[name] is JsonValue value && value.GetValueKind() == JsonValueKind.String && value.GetValue<string>().Trim() is { Length: > 0 } text
            ? text
            : null;
}
