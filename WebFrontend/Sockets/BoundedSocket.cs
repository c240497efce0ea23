using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;

namespace OrbitGrains.WebFrontend.Sockets;

/// <summary>
/// A server WebSocket with bounded costs, shared by the relay and the rooms: a receive loop that enforces the
/// frame size and a token-bucket message rate, and a send loop fed by a queue bounded in bytes. A peer that
/// cannot keep up is cut off; memory never grows with its backlog.
/// </summary>
public sealed class BoundedSocket(WebSocket socket, SocketLimits limits, TimeProvider clock)
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private readonly Channel<byte[]> _outbound = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _abort = new();
    private long _queuedBytes;
    private (WebSocketCloseStatus Status, string Reason)? _close;
    private double _tokens = limits.MessagesPerSecond * 2;
    private long _lastRefill = clock.GetTimestamp();

    /// <summary>True once a close was requested or the peer was cut off; nothing more will be read.</summary>
    public bool IsClosing => _close is not null || _abort.IsCancellationRequested;

    /// <summary>Queues a text frame; false (and the socket is cut off) when the peer has fallen too far behind.</summary>
    public bool Enqueue(string frame) => Enqueue(Encoding.UTF8.GetBytes(frame));

    /// <summary>
    /// Queues an already encoded UTF-8 text frame. The array is never written to, so one encoding can be shared
    /// by every socket a frame fans out to.
    /// </summary>
    public bool Enqueue(byte[] utf8Frame)
    {
        if (Interlocked.Add(ref _queuedBytes, utf8Frame.Length) > limits.MaxQueuedBytes)
        {
            _abort.Cancel();
            return false;
        }

        return _outbound.Writer.TryWrite(utf8Frame);
    }

    /// <summary>Sends what is queued, then closes with this status.</summary>
    public void Close(WebSocketCloseStatus status, string reason)
    {
        _close ??= (status, reason);
        _outbound.Writer.TryComplete();
    }

    /// <summary>Runs both directions until the socket ends; each complete text frame within the limits goes to <paramref name="onFrame"/>.</summary>
    public async Task RunAsync(Func<string, Task> onFrame, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _abort.Token);
        var sending = SendLoopAsync(linked.Token);
        try
        {
            await ReceiveLoopAsync(onFrame, linked.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
            // The peer went away or was cut off; nothing to tell it.
        }
        finally
        {
            _outbound.Writer.TryComplete();
            await sending;
            if (socket.State != WebSocketState.Closed && socket.State != WebSocketState.Aborted && _abort.IsCancellationRequested)
            {
                socket.Abort();
            }
        }
    }

    private async Task ReceiveLoopAsync(Func<string, Task> onFrame, CancellationToken cancellationToken)
    {
        while (socket.State == WebSocketState.Open && _close is null)
        {
            // A zero-byte read waits for data without holding a buffer: idle sockets cost no receive memory.
            var peek = await socket.ReceiveAsync(Memory<byte>.Empty, cancellationToken);
            if (peek.MessageType == WebSocketMessageType.Close)
            {
                Close(WebSocketCloseStatus.NormalClosure, "Bye");
                return;
            }

            var frame = await ReadMessageAsync(cancellationToken);
            if (frame is null)
            {
                return;
            }

            if (frame.Length == 0)
            {
                continue;
            }

            if (!TakeToken())
            {
                Enqueue(limits.ErrorFrame("rate_limited", "Rate limit exceeded; slow down."));
                if (limits.CloseOnFirstRateViolation || _tokens < -limits.MessagesPerSecond)
                {
                    Close(WebSocketCloseStatus.PolicyViolation, "Rate limit exceeded");
                    return;
                }

                continue;
            }

            await onFrame(frame);
        }
    }

    /// <summary>Reads one whole message; null when the socket closed or the frame broke a rule (the socket is then closing).</summary>
    private async Task<string?> ReadMessageAsync(CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(4096);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (buffer.Length >= limits.MaxFrameBytes + 1)
                    {
                        TooLarge();
                        return null;
                    }

                    var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, limits.MaxFrameBytes + 1));
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }

                var result = await socket.ReceiveAsync(buffer.AsMemory(length), cancellationToken);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    Close(WebSocketCloseStatus.NormalClosure, "Bye");
                    return null;
                }

                length += result.Count;
                if (length > limits.MaxFrameBytes)
                {
                    TooLarge();
                    return null;
                }

                if (result.EndOfMessage)
                {
                    break;
                }
            }

            // Binary frames are read as UTF-8 text, as the original services did; anything else is refused, not fatal.
            try
            {
                return StrictUtf8.GetString(buffer, 0, length);
            }
            catch (DecoderFallbackException)
            {
                Enqueue(limits.ErrorFrame("invalid_message", "Frames must be UTF-8 JSON text."));
                return string.Empty;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void TooLarge()
    {
        if (limits.ExplainTooLarge)
        {
            Enqueue(limits.ErrorFrame("message_too_large", $"Messages are limited to {limits.MaxFrameBytes} bytes."));
        }

        Close(WebSocketCloseStatus.MessageTooBig, "Frame too large");
    }

    private async Task SendLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var frame in _outbound.Reader.ReadAllAsync(cancellationToken))
            {
                Interlocked.Add(ref _queuedBytes, -frame.Length);
                await socket.SendAsync(frame, WebSocketMessageType.Text, true, cancellationToken);
            }

            if (_close is { } close && socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await socket.CloseAsync(close.Status, close.Reason, timeout.Token);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
            _abort.Cancel();
        }
    }

    private bool TakeToken()
    {
        var now = clock.GetTimestamp();
        var elapsed = clock.GetElapsedTime(_lastRefill, now).TotalSeconds;
        _lastRefill = now;
        _tokens = Math.Min(limits.MessagesPerSecond * 2, _tokens + elapsed * limits.MessagesPerSecond) - 1;
        return _tokens >= 0;
    }
}
