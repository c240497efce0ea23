using System.Collections.Concurrent;
using System.Text;
using OrbitGrains.WebFrontend.Telemetry;

namespace OrbitGrains.WebFrontend.Sockets;

/// <summary>
/// The sockets one front-end hub holds, by connection id, and the fan-out that grains ask of them: a frame is
/// encoded once, written to every listed socket on a thread-pool lane (in order per room or user), and counted.
/// </summary>
public sealed partial class HubSockets<TSocket> where TSocket : class
{
    private readonly ConcurrentDictionary<string, TSocket> _byId = new(StringComparer.Ordinal);
    private readonly FanoutLanes<Fanout> _lanes;
    private readonly string _family;
    private readonly Func<TSocket, byte[], bool> _write;
    private readonly OrbitMetrics _metrics;
    private readonly ILogger _logger;

    /// <param name="family">Names the family in metrics and logs.</param>
    /// <param name="write">Queues an encoded frame on a socket; false when the socket refused it (closing or too far behind).</param>
    public HubSockets(string family, Func<TSocket, byte[], bool> write, OrbitMetrics metrics, ILogger logger)
    {
        _family = family;
        _write = write;
        _metrics = metrics;
        _logger = logger;
        _lanes = new FanoutLanes<Fanout>(Write, ex => LogFanoutFailed(_logger, ex, _family));
    }

    public int Count => _byId.Count;

    public IEnumerable<TSocket> All => _byId.Values;

    public void Add(string connectionId, TSocket socket) => _byId[connectionId] = socket;

    public bool Remove(string connectionId) => _byId.TryRemove(connectionId, out _);

    public bool TryGet(string connectionId, out TSocket socket) => _byId.TryGetValue(connectionId, out socket!);

    /// <summary>Writes <paramref name="frame"/> to each listed socket held here, except one; frames of one key keep their order.</summary>
    public void Post(string key, string[] connectionIds, string? except, string frame) =>
        // Encoded once for all recipients; sockets only read the shared bytes.
        _lanes.Post(key, new Fanout(connectionIds, except, Encoding.UTF8.GetBytes(frame)));

    private void Write(Fanout fanout)
    {
        int queued = 0, refused = 0;
        foreach (var id in fanout.ConnectionIds)
        {
            if (id == fanout.Except || !_byId.TryGetValue(id, out var socket))
            {
                continue;
            }

            if (_write(socket, fanout.Utf8))
            {
                queued++;
            }
            else
            {
                refused++;
                LogRefused(_logger, _family, id);
            }
        }

        _metrics.Fanout(_family, queued, refused);
    }

    private readonly record struct Fanout(string[] ConnectionIds, string? Except, byte[] Utf8);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A {Family} socket {ConnectionId} refused a frame: it is closing or its outbound queue overflowed")]
    private static partial void LogRefused(ILogger logger, string family, string connectionId);

    [LoggerMessage(Level = LogLevel.Error, Message = "A {Family} fan-out failed")]
    private static partial void LogFanoutFailed(ILogger logger, Exception exception, string family);
}
