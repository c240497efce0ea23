using System.Buffers;
using System.Net.Sockets;
using System.Net.WebSockets;
using OrbitGrains.Cloud;
using OrbitGrains.WebFrontend.Sockets;

namespace OrbitGrains.WebFrontend.Cloud;

/// <summary>
/// RFB between the browser's WebSocket (binary frames) and the instance's VNC server (TCP), both ways, bytes untouched.
/// Memory per connection is bounded, whatever the peers do: the server-to-browser direction owns two pooled buffers of
/// at most <see cref="CloudProxyOptions.BufferBytes"/> and reads the next chunk into one while the other goes out as a
/// frame (so reading and sending overlap, and bytes that arrive during a send leave as one bigger frame rather than
/// many small ones); the browser-to-server direction owns one pooled buffer of <see cref="CloudProxyOptions.UpstreamBufferBytes"/>
/// and writes what it received before it receives again. A slow side therefore holds the other back through TCP's and
/// the WebSocket's own flow control, never through a growing queue.
/// </summary>
public sealed partial class VncRelay(WebSocket browser, CloudProxyOptions options, ILogger<VncRelay> logger)
{
    /// <summary>
    /// Relays until either side ends. When <paramref name="ending"/> fires (the node stopping: 1001; the caller's access
    /// ending: 1008) the browser gets that Close at once; its answering Close then ends the relay as any close by the
    /// browser does.
    /// </summary>
    public async Task RunAsync(ProxyTarget target, ProxyEnding ending, CancellationToken cancellationToken)
    {
        using var tcp = new TcpClient { NoDelay = true };
        try
        {
            using var connect = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            connect.CancelAfter(options.ConnectTimeout);
            await tcp.ConnectAsync(target.VncHost, target.VncPort, connect.Token);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            LogUnreachable(logger, target.VncHost, target.VncPort, ex.GetType().Name);
            await CloudProxyEndpoints.CloseAsync(browser, WebSocketCloseStatus.InternalServerError, "VNC server unavailable");
            return;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // Not through the reads' token: cancelling a WebSocket's read aborts it, and the browser would get no Close.
        using var ended = ending.OnEnd((status, reason) => _ = CloseOutputAsync(browser, status, reason));
        var stream = tcp.GetStream();
        var up = BrowserToServerAsync(stream, stop.Token);
        var down = ServerToBrowserAsync(stream, stop.Token);
        var first = await Task.WhenAny(up, down);
        // The server ending first (closed, reset) is the upstream going away: 1011, as the spec says.
        var upstreamFailed = first == down;
        stop.Cancel();
        tcp.Close();
        await Task.WhenAll(Quietly(up), Quietly(down));
        if (upstreamFailed)
        {
            await CloudProxyEndpoints.CloseAsync(browser, WebSocketCloseStatus.InternalServerError, "VNC server closed the connection");
        }
        else
        {
            await CloudProxyEndpoints.CloseAsync(browser, WebSocketCloseStatus.NormalClosure, "Closed");
        }
    }

    private static async Task CloseOutputAsync(WebSocket browser, WebSocketCloseStatus status, string reason)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await browser.CloseOutputAsync(status, reason, timeout.Token);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Closed or gone already.
        }
    }

    /// <summary>Browser frames to the server; ends (true) when the browser closes.</summary>
    private async Task<bool> BrowserToServerAsync(NetworkStream server, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(options.UpstreamBufferBytes);
        try
        {
            var memory = buffer.AsMemory(0, options.UpstreamBufferBytes);
            while (true)
            {
                var received = await browser.ReceiveAsync(memory, cancellationToken);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    return true;
                }

                if (received.Count > 0)
                {
                    await server.WriteAsync(memory[..received.Count], cancellationToken);
                }
            }
        }
        finally
        {
            // Nothing holds the buffer any more: the write was awaited, or failed and ended the direction.
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Server bytes to the browser as binary frames; false when the server ended the connection. The buffers start at
    /// <see cref="CloudProxyOptions.InitialBufferBytes"/> and double (up to <see cref="CloudProxyOptions.BufferBytes"/>)
    /// whenever a read fills one: an idle desktop's small updates keep them small, a bulk update gets big frames, which
    /// cost the proxy and the browser less per byte.
    /// </summary>
    private async Task<bool> ServerToBrowserAsync(NetworkStream server, CancellationToken cancellationToken)
    {
        var size = Math.Min(options.InitialBufferBytes, options.BufferBytes);
        var sending = ArrayPool<byte>.Shared.Rent(size);
        var reading = ArrayPool<byte>.Shared.Rent(size);
        var send = ValueTask.CompletedTask;
        var sendPending = false;
        try
        {
            var read = await server.ReadAsync(sending.AsMemory(0, size), cancellationToken);
            while (read > 0)
            {
                send = browser.SendAsync(sending.AsMemory(0, read), WebSocketMessageType.Binary, endOfMessage: true, cancellationToken);
                sendPending = true;
                if (read == size && size < options.BufferBytes)
                {
                    size = Math.Min(size * 2, options.BufferBytes);
                }

                if (reading.Length < size)
                {
                    // Not in use: its frame was sent before the last swap.
                    ArrayPool<byte>.Shared.Return(reading);
                    reading = ArrayPool<byte>.Shared.Rent(size);
                }

                // Read ahead while the frame goes out; the frame's buffer is not touched until its send completed.
                read = await server.ReadAsync(reading.AsMemory(0, size), cancellationToken);
                sendPending = false;
                await send;
                (sending, reading) = (reading, sending);
            }

            return false;
        }
        finally
        {
            if (sendPending)
            {
                // The read failed while a frame was going out: its buffer goes back to the pool only once the send let go of it.
                await Quietly(send.AsTask());
            }

            ArrayPool<byte>.Shared.Return(sending);
            ArrayPool<byte>.Shared.Return(reading);
        }
    }

    private static async Task Quietly(Task task)
    {
        try
        {
            await task;
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or WebSocketException or SocketException or ObjectDisposedException)
        {
            // One side ended; the other is being torn down.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "VNC proxy: the instance's VNC server at {Host}:{Port} is unreachable ({Error}).")]
    private static partial void LogUnreachable(ILogger logger, string host, int port, string error);
}
