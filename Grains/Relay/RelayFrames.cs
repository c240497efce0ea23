using System.Text.Json.Nodes;

namespace OrbitGrains.Relay;

/// <summary>The frames the relay itself writes, in the exact shapes the Orbit clients read.</summary>
public static class RelayFrames
{
    public const int RoutingErrorCode = -32001;

    public static string Subscribed(string threadId) =>
        new JsonObject { ["type"] = "orbit.subscribed", ["threadId"] = threadId }.ToJsonString();

    public static string ClientSubscribed(string threadId) =>
        new JsonObject { ["type"] = "orbit.client-subscribed", ["threadId"] = threadId }.ToJsonString();

    public static string RelayState(string threadId, ThreadSnapshot snapshot) => new JsonObject
    {
        ["type"] = "orbit.relay-state",
        ["threadId"] = threadId,
        ["boundAnchorId"] = snapshot.BoundAnchorId,
        ["turn"] = snapshot.Turn is { } turn ? new JsonObject { ["id"] = turn.Id, ["status"] = turn.Status } : null,
        ["replayed"] = snapshot.Replay.Length,
    }.ToJsonString();

    public static string Anchors(IEnumerable<AnchorInfo> anchors) => new JsonObject
    {
        ["type"] = "orbit.anchors",
        ["anchors"] = new JsonArray(anchors.Select(a => (JsonNode)Anchor(a)).ToArray()),
    }.ToJsonString();

    public static string AnchorConnected(AnchorInfo anchor) =>
        new JsonObject { ["type"] = "orbit.anchor-connected", ["anchor"] = Anchor(anchor) }.ToJsonString();

    public static string AnchorDisconnected(string anchorId) =>
        new JsonObject { ["type"] = "orbit.anchor-disconnected", ["anchorId"] = anchorId }.ToJsonString();

    public static string TurnInterrupted(string threadId, TurnState turn) => new JsonObject
    {
        ["method"] = "turn/interrupted",
        ["params"] = new JsonObject
        {
            ["threadId"] = threadId,
            ["turn"] = new JsonObject { ["id"] = turn.Id, ["status"] = "Interrupted" },
        },
    }.ToJsonString();

    /// <summary>The JSON-RPC error a client gets when its message could not be routed.</summary>
    public static string RoutingError(JsonNode id, RelayRouteError error) => new JsonObject
    {
        ["id"] = id.DeepClone(),
        ["error"] = new JsonObject
        {
            ["code"] = RoutingErrorCode,
            ["message"] = error.Message,
            ["data"] = new JsonObject { ["code"] = error.Code },
        },
    }.ToJsonString();

    /// <summary>A protocol error for a frame the relay cannot read (not JSON, not an object, unknown control type).</summary>
    public static string InvalidFrame(string message) =>
        new JsonObject { ["type"] = "orbit.error", ["error"] = new JsonObject { ["code"] = "invalid_message", ["message"] = message } }.ToJsonString();

    public static string Artifacts(string threadId, ArtifactPage page, JsonNode? requestId) => new JsonObject
    {
        ["type"] = "orbit.artifacts",
        ["threadId"] = threadId,
        ["artifacts"] = new JsonArray(page.Artifacts.Select(a => (JsonNode)Artifact(a)).ToArray()),
        ["nextBeforeId"] = page.NextBeforeId,
        ["requestId"] = requestId?.DeepClone(),
    }.ToJsonString();

    public static JsonObject Artifact(ArtifactRecord a) => new()
    {
        ["id"] = a.Id,
        ["threadId"] = a.ThreadId,
        ["turnId"] = a.TurnId,
        ["anchorId"] = a.AnchorId,
        ["itemId"] = a.ItemId,
        ["artifactType"] = a.ArtifactType,
        ["itemType"] = a.ItemType,
        ["summary"] = a.Summary,
        ["payload"] = JsonNode.Parse(a.PayloadJson),
        ["createdAt"] = a.CreatedAt.ToString("O"),
    };

    private static JsonObject Anchor(AnchorInfo a) => new()
    {
        ["id"] = a.Id,
        ["hostname"] = a.Hostname,
        ["platform"] = a.Platform,
        ["connectedAt"] = a.ConnectedAt.ToString("O"),
    };
}

/// <summary>Why a client's message could not reach an anchor; the code is what the web client switches on.</summary>
public sealed record RelayRouteError(string Code, string Message)
{
    public static readonly RelayRouteError AnchorNotFound = new("anchor_not_found", "Device not found or not connected.");
    public static readonly RelayRouteError ThreadAnchorMismatch = new("thread_anchor_mismatch", "This thread belongs to a different device.");
    public static readonly RelayRouteError ThreadAnchorOffline = new("anchor_offline", "Device for this thread is offline.");
    public static readonly RelayRouteError NoAnchors = new("anchor_offline", "No devices are connected.");
    /// <summary>The request reached its anchor, whose socket then ended (closed, or silent past the keep-alive timeout) before it answered.</summary>
    public static readonly RelayRouteError AnchorLeft = new("anchor_offline", "The device disconnected before answering.");
    public static readonly RelayRouteError AnchorRequired = new("anchor_required", "Select a device before starting a request.");
}
