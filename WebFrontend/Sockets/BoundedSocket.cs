using System.Buffers;
using System.Net.WebSockets;
using System.Text;

namespace OrbitGrains.WebFrontend.Sockets;

/// <summary>
/// A server WebSocket with bounded costs, shared by the relay and the rooms: a receive loop that enforces the
/// frame size and a token-bucket message rate, and a send queue bounded in bytes. A peer that cannot keep up is
/// cut off; memory never grows with its backlog.
/// </summary>
/// <remarks>
/// Whoever queues a frame on an idle socket writes it at once, on its own thread: a fan-out to fifty sockets is
/// fifty writes on the thread that fans out, not fifty thread-pool hops. Only a write the transport cannot take at
/// once (a slow peer) continues asynchronously, while later frames wait in the queue behind it.
/// Nothing is written before <see cref="RunAsync"/> starts: a handler queues its greeting, registers the socket
/// where it must, and only then runs it, so a peer that has the greeting knows it is registered.
/// An idle socket is kept small (tens of thousands may be open on one node): it waits with a zero-byte read and no
/// buffer, its queue is a plain array-backed queue under a lock rather than a concurrent queue's 32-slot segment, and
/// one cancellation source (<see cref="_abort"/>, which the caller's token cancels) serves reads, waits and cut-offs
/// instead of a linked source and four registrations.
/// </remarks>
public sealed partial class BoundedSocket(WebSocket socket, SocketLimits limits, TimeProvider clock, ILogger? logger = null)
{
    /// <summary>1013 Try Again Later (IANA WebSocket close code registry); the enum has no name for it.</summary>
    private const WebSocketCloseStatus TryAgainLater = (WebSocketCloseStatus)1013;
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    /// <summary>Frames waiting to be written; also the lock for itself (held only to add or take one frame).</summary>
    private readonly Queue<byte[]> _outbound = new();
    /// <summary>Cancelled once the socket is cut off (<see cref="Cut"/>): ends a read or wait in progress; nothing more is sent or read.</summary>
    private readonly CancellationTokenSource _abort = new();
    private readonly TaskCompletionSource _sent = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _queuedBytes;
    /// <summary>1 while one caller drains the queue; everyone else only adds to it.</summary>
    private int _draining;
    /// <summary>Set once nothing more may be queued: the drain then ends the socket.</summary>
    private volatile bool _complete;
    /// <summary>Set when <see cref="RunAsync"/> starts; frames queued before wait for it.</summary>
    private volatile bool _running;
    private (WebSocketCloseStatus Status, string Reason)? _close;
    /// <summary>Bytes of the message being read and handled that are held from <see cref="SocketLimits.NodeBudget"/>.</summary>
    private long _budgetHeld;
    private double _tokens = limits.MessagesPerSecond * 2;
    private long _lastRefill = clock.GetTimestamp();

    /// <summary>
    /// True when the connection ended in a WebSocket error rather than a close: the peer vanished, or the WebSocket
    /// failed the connection on a protocol error after sending its own Close (see <see cref="LingeringUpgrade"/>).
    /// </summary>
    public bool EndedByProtocolError { get; private set; }

    /// <summary>True once a close was requested or the peer was cut off; nothing more will be read.</summary>
    public bool IsClosing => _close is not null || IsCut;

    /// <summary>Queues a text frame; false (and the socket is cut off) when the peer has fallen too far behind.</summary>
    public bool Enqueue(string frame) => Enqueue(Encoding.UTF8.GetBytes(frame));

    /// <summary>
    /// Queues an already encoded UTF-8 text frame. The array is never written to, so one encoding can be shared
    /// by every socket a frame fans out to.
    /// </summary>
    public bool Enqueue(byte[] utf8Frame)
    {
        if (_complete)
        {
            return false;
        }

        // One frame bigger than the allowance still goes to a peer that has caught up (a 15 MB image to a client whose
        // queue is empty); a backlog beyond it means the peer is too slow.
        var queued = Interlocked.Add(ref _queuedBytes, utf8Frame.Length);
        if (queued > limits.MaxQueuedBytes && queued != utf8Frame.Length)
        {
            Cut();
            return false;
        }

        lock (_outbound)
        {
            _outbound.Enqueue(utf8Frame);
        }

        Drain();
        return true;
    }

    /// <summary>
    /// The socket's message handler failed, on the read loop or after it handed the message on: logged as an error,
    /// and the socket closes with 1011.
    /// </summary>
    public void Fail(Exception exception)
    {
        if (logger is not null)
        {
            LogHandlerFailed(logger, exception);
        }

        Close(WebSocketCloseStatus.InternalServerError, "Internal error");
    }

    /// <summary>Sends what is queued, then closes with 1001 (<see cref="GoingAway"/>): the node is stopping.</summary>
    public void GoAway() => Close(GoingAway.Status, GoingAway.Reason);

    /// <summary>Sends what is queued, then closes with this status.</summary>
    public void Close(WebSocketCloseStatus status, string reason)
    {
        _close ??= (status, reason);
        _complete = true;
        Drain();
    }

    /// <summary>
    /// Runs both directions until the socket ends; each complete message within the limits goes to
    /// <paramref name="onFrame"/>, read by <see cref="Frames"/>. An exception that escapes <paramref name="onFrame"/>
    /// is logged once and closes the socket with 1011 (RFC 6455 §7.4.1), never an abort.
    /// </summary>
    public async Task RunAsync(Func<InboundFrame, Task> onFrame, CancellationToken cancellationToken)
    {
        // Sends take no token (that keeps them on the WebSocket's fast path); the caller's token, like any other
        // cut-off, aborts the WebSocket, which ends a send in progress, and cancels the reads' token.
        using var cancelled = cancellationToken.UnsafeRegister(static state => ((BoundedSocket)state!).Cut(), this);
        _running = true;
        Drain();
        try
        {
            await ReceiveLoopAsync(onFrame, _abort.Token);
        }
        catch (WebSocketException) when (!IsCut)
        {
            // The peer left, or the WebSocket failed the connection itself (a text frame that is not UTF-8: it sent
            // 1007 and stopped reading). The handler lets the peer read that before the connection ends.
            EndedByProtocolError = true;
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
            // The peer went away or was cut off; nothing to tell it.
        }
        finally
        {
            _complete = true;
            Drain();
            // Cut off or gone, a write may still wait on the peer: the abort ends it, and the close has its own timeout.
            await _sent.Task;
        }
    }

    private async Task ReceiveLoopAsync(Func<InboundFrame, Task> onFrame, CancellationToken cancellationToken)
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

            try
            {
                if (!await ReceiveOneAsync(onFrame, cancellationToken))
                {
                    return;
                }
            }
            finally
            {
                // The message has been handled (or refused): its bytes go back to the node.
                limits.NodeBudget?.Release(_budgetHeld);
                _budgetHeld = 0;
            }
        }
    }

    /// <summary>Reads and handles one message; false when the socket is done.</summary>
    private async Task<bool> ReceiveOneAsync(Func<InboundFrame, Task> onFrame, CancellationToken cancellationToken)
    {
        var frame = await ReadMessageAsync(cancellationToken);
        if (frame is null)
        {
            return false;
        }

        if (frame.Text.Length == 0)
        {
            return true;
        }

        if (!TakeToken())
        {
            if (limits.PaceBursts)
            {
                // Over the rate: this message waits for its token and nothing more is read meanwhile, so the peer's
                // sends back up in TCP instead of being dropped.
                await Task.Delay(TimeSpan.FromSeconds(-_tokens / limits.MessagesPerSecond), clock, cancellationToken);
            }
            else
            {
                Enqueue(limits.ErrorFrame("rate_limited", "Rate limit exceeded; slow down."));
                if (limits.CloseOnFirstRateViolation || _tokens < -limits.MessagesPerSecond)
                {
                    Close(WebSocketCloseStatus.PolicyViolation, "Rate limit exceeded");
                    return false;
                }

                return true;
            }
        }

        try
        {
            await onFrame(frame);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Fail(ex);
            return false;
        }

        return true;
    }

    /// <summary>Reads one whole message; null when the socket closed or the frame broke a rule (the socket is then closing).</summary>
    private async Task<InboundFrame?> ReadMessageAsync(CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(4096);
        var length = 0;
        var type = WebSocketMessageType.Text;
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

                    var size = Math.Min(buffer.Length * 2, limits.MaxFrameBytes + 1);
                    if (limits.NodeBudget is { } budget)
                    {
                        if (!await budget.TryReserveAsync(size - buffer.Length, limits.NodeBudgetWait, clock, cancellationToken))
                        {
                            // The node's allowance for big messages stayed taken: the peer may send it again later.
                            Close(TryAgainLater, "Server busy; try again later");
                            return null;
                        }

                        _budgetHeld += size - buffer.Length;
                    }

                    var bigger = ArrayPool<byte>.Shared.Rent(size);
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

                type = result.MessageType;
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

            string text;
            try
            {
                text = StrictUtf8.GetString(buffer, 0, length);
            }
            catch (DecoderFallbackException)
            {
                if (type == WebSocketMessageType.Text)
                {
                    // A text message must be UTF-8 (RFC 6455 §8.1): the connection fails with 1007.
                    Close(WebSocketCloseStatus.InvalidPayloadData, "Text frames must be UTF-8");
                    return null;
                }

                // Binary frames are read as UTF-8 text, as the original services did; anything else is refused, not fatal.
                Enqueue(limits.ErrorFrame("invalid_message", "Frames must be UTF-8 JSON text."));
                return new InboundFrame(string.Empty, FrameKind.NotJson, null);
            }

            return Frames.Read(buffer.AsSpan(0, length), text);
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

    /// <summary>
    /// Cuts the socket off: nothing more is queued or written, and aborting the WebSocket ends a read or write waiting
    /// on the peer.
    /// </summary>
    private void Cut()
    {
        _complete = true;
        _abort.Cancel();
        socket.Abort();
        _sent.TrySetResult();
    }

    private bool IsCut => _abort.IsCancellationRequested;

    private bool TryDequeue(out byte[] frame)
    {
        lock (_outbound)
        {
            if (_outbound.TryDequeue(out frame!))
            {
                return true;
            }

            // A burst grew the queue's array; an idle socket should not keep it.
            if (_outbound.EnsureCapacity(0) > 64)
            {
                _outbound.TrimExcess();
            }

            return false;
        }
    }

    private bool HasQueued()
    {
        lock (_outbound)
        {
            return _outbound.Count > 0;
        }
    }

    /// <summary>Starts draining on this thread unless someone already is, or the socket does not run yet.</summary>
    private void Drain()
    {
        if (_running && Interlocked.CompareExchange(ref _draining, 1, 0) == 0)
        {
            _ = DrainAsync();
        }
    }

    private async Task DrainAsync()
    {
        try
        {
            while (true)
            {
                while (!IsCut && TryDequeue(out var frame))
                {
                    Interlocked.Add(ref _queuedBytes, -frame.Length);
                    await socket.SendAsync(frame.AsMemory(), WebSocketMessageType.Text, true, CancellationToken.None).ConfigureAwait(false);
                }

                if (IsCut)
                {
                    _sent.TrySetResult();
                    return;
                }

                if (_complete)
                {
                    if (HasQueued())
                    {
                        continue; // queued just before the close: still sent ahead of it
                    }

                    await CloseAsync().ConfigureAwait(false);
                    return;
                }

                // Hand the queue back, then look again: a frame queued just before the hand-back found us draining.
                // A full fence (not a release write): the look below must not be ordered before the hand-back, or a
                // producer could see us still draining while we see its frame not yet queued, and it would be stranded.
                Interlocked.Exchange(ref _draining, 0);
                if ((!HasQueued() && !_complete) || Interlocked.CompareExchange(ref _draining, 1, 0) != 0)
                {
                    return;
                }
            }
        }
        catch (Exception)
        {
            // Whatever stopped a write (the peer left, an abort, a close timeout), this socket sends nothing more.
            Cut();
        }
    }

    private async Task CloseAsync()
    {
        try
        {
            if (_close is { } close && socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await socket.CloseAsync(close.Status, close.Reason, timeout.Token).ConfigureAwait(false);
            }
        }
        finally
        {
            _sent.TrySetResult();
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A socket's message handler failed; the socket was closed with 1011")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception);

    private bool TakeToken()
    {
        var now = clock.GetTimestamp();
        var elapsed = clock.GetElapsedTime(_lastRefill, now).TotalSeconds;
        _lastRefill = now;
        _tokens = Math.Min(limits.MessagesPerSecond * 2, _tokens + elapsed * limits.MessagesPerSecond) - 1;
        return _tokens >= 0;
    }
}
