using System.Net.WebSockets;
using OrbitGrains.Relay;
using OrbitGrains.WebFrontend.Sockets;

namespace OrbitGrains.WebFrontend.Relay;

/// <summary>
/// One relay WebSocket: a bounded socket (frame size, message rate, outbound bytes) that answers pings itself
/// and words its refusals as Orbit error frames.
/// </summary>
public sealed class RelaySocket(
    WebSocket socket, RelayConnection connection, string userId, RelayOptions options, TimeProvider clock, ILogger? logger = null)
{
    private readonly BoundedSocket _socket = new(socket, options.SocketLimits, clock, logger);

    public RelayConnection Connection { get; } = connection;

    public string UserId { get; } = userId;

    /// <summary>
    /// True once the user's relay knows this socket. Lease renewals report only such sockets: one reported before its
    /// registration completed would look unknown to the relay and be closed.
    /// </summary>
    public bool Registered
    {
        get => Volatile.Read(ref _registered);
        set => Volatile.Write(ref _registered, value);
    }

    private bool _registered;

    /// <summary>Queues a frame; false (and the socket is cut off) when the peer has fallen too far behind.</summary>
    public bool Enqueue(string frame) => _socket.Enqueue(frame);

    /// <inheritdoc cref="BoundedSocket.EndedByProtocolError"/>
    public bool EndedByProtocolError => _socket.EndedByProtocolError;

    /// <summary>Queues UTF-8 bytes that the caller will not change again (one encoding is shared by every target socket).</summary>
    public bool Enqueue(byte[] utf8Frame) => _socket.Enqueue(utf8Frame);

    /// <inheritdoc cref="BoundedSocket.Fail"/>
    public void Fail(Exception exception) => _socket.Fail(exception);

    /// <inheritdoc cref="BoundedSocket.GoAway"/>
    public void GoAway() => _socket.GoAway();

    /// <summary>Sends what is queued, then closes with this status.</summary>
    public void Close(WebSocketCloseStatus status, string reason) => _socket.Close(status, reason);

    /// <summary>
    /// Runs both directions until the socket ends. Each message that is a readable JSON object, but ping, goes to
    /// <paramref name="onFrame"/>; anything else gets an Orbit error frame here and the socket stays open.
    /// </summary>
    public Task RunAsync(Func<string, Task> onFrame, CancellationToken cancellationToken) =>
        _socket.RunAsync(frame =>
        {
            if (!frame.IsObject)
            {
                Enqueue(RelayFrames.InvalidFrame(frame.Kind == FrameKind.Unreadable ? $"The message {frame.Problem}." : "Frames must be JSON objects."));
                return Task.CompletedTask;
            }

            if (IsPing(frame.Text))
            {
                Enqueue("""{"type":"pong"}""");
                return Task.CompletedTask;
            }

            return onFrame(frame.Text);
        }, cancellationToken);

    /// <summary>A control message of type ping, whatever else it carries (clients add timestamps).</summary>
    private static bool IsPing(string frame) =>
        frame.Contains("\"ping\"", StringComparison.Ordinal) && RelayMessage.TryParse(frame) is { Type: "ping" };
}
