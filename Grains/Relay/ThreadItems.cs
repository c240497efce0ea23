using System.Text.Json;
using System.Text.Json.Nodes;

namespace OrbitGrains.Relay;

/// <summary>How an anchor's thread message changes the thread: turn transitions and the items kept as artifacts.</summary>
public static class ThreadItems
{
    private static readonly Dictionary<string, string> ArtifactTypes = new(StringComparer.Ordinal)
    {
        ["commandExecution"] = "command",
        ["fileChange"] = "file",
        ["imageView"] = "image",
        ["mcpToolCall"] = "tool",
        ["webSearch"] = "tool",
        ["collabAgentToolCall"] = "tool",
    };

    private static readonly Dictionary<string, string> TurnStatuses = new(StringComparer.Ordinal)
    {
        ["turn/started"] = "InProgress",
        ["turn/completed"] = "Completed",
        ["turn/failed"] = "Failed",
        ["turn/cancelled"] = "Cancelled",
        ["turn/interrupted"] = "Interrupted",
    };

    /// <summary>
    /// Whether the turn is under way. Rows stored before <see cref="TurnState.Running"/> existed only have the
    /// relay's own status names, where "InProgress" meant running.
    /// </summary>
    public static bool IsRunning(TurnState? turn) => turn is { Running: true } or { Running: null, Status: "InProgress" };

    /// <summary>The turn after this message, or null when the message is not a turn transition.</summary>
    public static TurnState? TurnAfter(RelayMessage message)
    {
        if (message.Method is null || !TurnStatuses.TryGetValue(message.Method, out var status))
        {
            return null;
        }

        var parameters = message.Json["params"] as JsonObject;
        var turn = parameters?["turn"] as JsonObject;
        var id = Text(turn?["id"]) ?? Text(parameters?["turnId"]);

        // Replay tells clients the status the anchor sent ("completed" stays "completed"); the method only fills in
        // a status the anchor left out.
        var sent = Text(turn?["status"]) is { Length: <= 64 } text ? text : null;
        return new TurnState(id, sent ?? status, Running: message.Method == "turn/started");
    }

    /// <summary>The artifact an `item/completed` message carries, or null.</summary>
    public static ArtifactRecord? Artifact(RelayMessage message, string threadId, string? anchorId, long id, DateTimeOffset now)
    {
        if (message.Method != "item/completed" || message.Json["params"] is not JsonObject parameters || parameters["item"] is not JsonObject item)
        {
            return null;
        }

        var itemType = Text(item["type"]);
        if (itemType is null || !ArtifactTypes.TryGetValue(itemType, out var artifactType))
        {
            return null;
        }

        var turnId = Text(parameters["turnId"]) ?? Text((parameters["turn"] as JsonObject)?["id"]);
        return new ArtifactRecord(id, threadId, turnId, anchorId, Text(item["id"]), artifactType, itemType,
            Summary(itemType, item), item.ToJsonString(), now);
    }

    private static string Summary(string itemType, JsonObject item)
    {
        var summary = itemType switch
        {
            "commandExecution" => Text(item["command"]),
            "fileChange" => item["changes"] is JsonArray changes
                ? string.Join(", ", changes.OfType<JsonObject>().Select(c => Text(c["path"])).Where(p => p is not null))
                : Text(item["path"]),
            "imageView" => Text(item["path"]),
            "webSearch" => Text(item["query"]),
            _ => string.Join("/", new[] { Text(item["server"]), Text(item["tool"]) }.Where(p => p is not null)),
        };
        summary = string.IsNullOrWhiteSpace(summary) ? itemType : summary;
        return summary.Length <= 200 ? summary : summary[..200];
    }

    private static string? Text(JsonNode? node) => node is JsonValue value && value.GetValueKind() switch
    {
        JsonValueKind.String or JsonValueKind.Number => true,
        _ => false,
    } ? value.ToString() : null;
}
