using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OrbitGrains.Relay;

/// <summary>
/// A frame of the Orbit protocol, parsed once and classified: a control message (`type`), or JSON-RPC
/// (a request has `id` and `method`, a response `id` only, a notification `method` only). Routing fields are
/// read from a pooled document; the mutable tree is built only when a control message needs it.
/// </summary>
public sealed class RelayMessage
{
    /// <summary>Longest thread or anchor id accepted; ids become grain keys, which the stores bound.</summary>
    public const int MaxIdLength = 256;

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

    private readonly string _frame;
    private JsonObject? _json;
    private JsonNode? _id;

    private RelayMessage(string frame, JsonElement root)
    {
        _frame = frame;
        Type = StringAt(root, "type");
        Method = StringAt(root, "method");
        IdKey = root.TryGetProperty("id", out var id) && id.ValueKind != JsonValueKind.Null ? id.GetRawText() : null;
        ThreadId = FirstId(root, ThreadPaths);
        AnchorId = FirstId(root, AnchorPaths);
    }

    /// <summary>The whole message as a mutable tree (built on first use).</summary>
    public JsonObject Json => _json ??= (JsonObject)JsonNode.Parse(_frame, documentOptions: DocumentOptions)!;

    /// <summary>The control message type (`orbit.subscribe`, `anchor.hello`, ...), or null for JSON-RPC.</summary>
    public string? Type { get; }

    public JsonNode? Id => IdKey is null ? null : _id ??= JsonNode.Parse(IdKey);

    /// <summary>The id as typed JSON text: numeric 1 and string "1" are different requests.</summary>
    public string? IdKey { get; }

    public string? Method { get; }

    public string? ThreadId { get; }

    public string? AnchorId { get; }

    public bool IsResponse => IdKey is not null && Method is null;

    public bool IsRequest => IdKey is not null && Method is not null;

    /// <summary>The frame with its `id` replaced by the JSON text <paramref name="idJson"/> (request ids are per sender).</summary>
    public string WithId(string idJson)
    {
        Json["id"] = JsonNode.Parse(idJson);
        return Json.ToJsonString();
    }

    /// <summary>Parses a text frame; null when it is not a JSON object (the caller answers with an error frame).</summary>
    public static RelayMessage? TryParse(string frame)
    {
        try
        {
            using var document = JsonDocument.Parse(frame, DocumentOptions);
            return document.RootElement.ValueKind == JsonValueKind.Object ? new RelayMessage(frame, document.RootElement) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A string or integer value at the first matching path, trimmed; booleans and blanks do not count.</summary>
    private static string? FirstId(JsonElement root, string[][] paths)
    {
        foreach (var path in paths)
        {
            var node = root;
            var found = true;
            foreach (var segment in path)
            {
                if (node.ValueKind != JsonValueKind.Object || !node.TryGetProperty(segment, out node))
                {
                    found = false;
                    break;
                }
            }

            if (!found)
            {
                continue;
            }

            switch (node.ValueKind)
            {
                case JsonValueKind.String when node.GetString()!.Trim() is { Length: > 0 and <= MaxIdLength } text:
                    return text;
                case JsonValueKind.Number when node.TryGetInt64(out var number):
                    return number.ToString(CultureInfo.InvariantCulture);
            }
        }

        return null;
    }

    private static string? StringAt(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>A string member of a control message, trimmed; null when absent, blank, too long or not a string.</summary>
    public string? Text(string name) =>
        Json[name] is JsonValue value && value.GetValueKind() == JsonValueKind.String
            && value.GetValue<string>().Trim() is { Length: > 0 and <= MaxIdLength } text
            ? text
            : null;
}
