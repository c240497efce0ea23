using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace OrbitGrains.Relay;

/// <summary>
/// `orbit.multi-dispatch` (spec/orbit.md): one client request sent to several of the user's anchors at once, each
/// copy under its own id ("orig:anchor:8hex") so the answers can be told apart, and one
/// `orbit.multi-dispatch.result` back with an entry per anchor: its response, or `anchor_not_found`, `no_result`
/// (the anchor left) or `timeout` after <see cref="Timeout"/>. Owned by <see cref="UserRelayGrain"/> and used only on
/// its scheduler; <paramref name="startTimer"/> is the grain's one-shot timer.
/// </summary>
internal sealed class MultiDispatcher(
    IReadOnlyDictionary<string, string> anchorsById, Action<string, string> send, Func<Action, TimeSpan, IDisposable> startTimer, TimeProvider clock)
{
    /// <summary>How long a dispatch waits for its slowest anchor before it answers for it (`timeout`).</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    /// <summary>Rewritten request id ("orig:anchor:8hex") -> the dispatch waiting for it.</summary>
    private readonly Dictionary<string, Dispatch> _dispatchByRequest = new(StringComparer.Ordinal);

    public void Start(RelayPeer client, RelayMessage message)
    {
        var requestId = message.Json["requestId"] ?? message.Id;
        var request = message.Json["request"] as JsonObject;
        if (request?["method"] is not JsonValue method || !method.TryGetValue<string>(out _))
        {
            send(client.Id, Result(requestId, [], new JsonObject { ["code"] = "invalid_request", ["message"] = "request.method is required." }));
            return;
        }

        var named = message.Json["anchorIds"] is JsonArray ids
            ? ids.Select(id => id is JsonValue v && v.TryGetValue<string>(out var s) ? s.Trim() : null).OfType<string>().Distinct().Take(100).ToList()
            : anchorsById.Keys.ToList();

        var dispatch = new Dispatch(client.Id, requestId?.DeepClone());
        var original = request["id"] is JsonValue originalId ? originalId.ToString() : requestId?.ToString() ?? "multi";
        foreach (var anchorId in named)
        {
            if (!anchorsById.TryGetValue(anchorId, out var connection))
            {
                dispatch.Results[anchorId] = Failure(anchorId, "anchor_not_found", "Device not found or not connected.");
                continue;
            }

            var rewritten = $"{original}:{anchorId}:{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
            var copy = (JsonObject)request.DeepClone();
            copy["id"] = rewritten;
            dispatch.Waiting[rewritten] = anchorId;
            _dispatchByRequest[rewritten] = dispatch;
            send(connection, copy.ToJsonString());
        }

        dispatch.Order.AddRange(named);
        if (dispatch.Waiting.Count == 0)
        {
            Finish(dispatch);
            return;
        }

        dispatch.Timer = startTimer(() => TimeOut(dispatch), Timeout);
    }

    public bool TryComplete(string anchorId, RelayMessage response)
    {
        if (response.Id is not JsonValue id || !id.TryGetValue<string>(out var key) || !_dispatchByRequest.Remove(key, out var dispatch))
        {
            return false;
        }

        dispatch.Waiting.Remove(key);
        dispatch.Results[anchorId] = new JsonObject { ["anchorId"] = anchorId, ["ok"] = true, ["response"] = response.Json.DeepClone() };
        if (dispatch.Waiting.Count == 0)
        {
            Finish(dispatch);
        }

        return true;
    }

    public void FailAnchor(string anchorId)
    {
        foreach (var (key, dispatch) in _dispatchByRequest.Where(d => d.Value.Waiting.GetValueOrDefault(d.Key) == anchorId).ToList())
        {
            _dispatchByRequest.Remove(key);
            dispatch.Waiting.Remove(key);
            dispatch.Results[anchorId] = Failure(anchorId, "no_result", "The device disconnected before answering.");
            if (dispatch.Waiting.Count == 0)
            {
                Finish(dispatch);
            }
        }
    }

    private void TimeOut(Dispatch dispatch)
    {
        foreach (var (key, anchorId) in dispatch.Waiting)
        {
            _dispatchByRequest.Remove(key);
            dispatch.Results[anchorId] = Failure(anchorId, "timeout", "The device did not answer in time.");
        }

        dispatch.Waiting.Clear();
        Finish(dispatch);
    }

    private void Finish(Dispatch dispatch)
    {
        dispatch.Timer?.Dispose();
        var results = dispatch.Order.Where(dispatch.Results.ContainsKey).Select(a => (JsonNode)dispatch.Results[a]).ToArray();
        send(dispatch.ClientConnection, Result(dispatch.RequestId, results, error: null));
    }

    private string Result(JsonNode? requestId, JsonNode[] results, JsonObject? error)
    {
        var frame = new JsonObject
        {
            ["type"] = "orbit.multi-dispatch.result",
            ["requestId"] = requestId?.DeepClone(),
            ["results"] = new JsonArray(results),
            ["completedAt"] = clock.GetUtcNow().ToString("O"),
        };
        if (error is not null)
        {
            frame["error"] = error;
        }

        return frame.ToJsonString();
    }

    private static JsonObject Failure(string anchorId, string code, string message) => new()
    {
        ["anchorId"] = anchorId,
        ["ok"] = false,
        ["error"] = new JsonObject { ["code"] = code, ["message"] = message },
    };

    private sealed class Dispatch(string clientConnection, JsonNode? requestId)
    {
        public string ClientConnection { get; } = clientConnection;
        public JsonNode? RequestId { get; } = requestId;
        public List<string> Order { get; } = [];
        public Dictionary<string, string> Waiting { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, JsonObject> Results { get; } = new(StringComparer.Ordinal);
        public IDisposable? Timer { get; set; }
    }
}
