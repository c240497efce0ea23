using System.Net.Sockets;
using System.Net.WebSockets;
using OrbitGrains.Cloud;

namespace OrbitGrains.WebFrontend.Cloud;

/// <summary>
/// RFB between the browser's WebSocket (binary frames) and the instance's VNC server (TCP), both ways, bytes untouched.
/// Each direction owns one fixed buffer and writes what it read before it reads again, so a slow side holds the
/// other back through TCP's and the WebSocket's own flow control; memory per connection is two buffers, whatever the
/// peers do.
/// </summary>
public sealed partial class VncRelay(WebSocket browser, CloudProxyOptions options, ILogger<VncRelay> logger)
{
    public async Task RunAsync(ProxyTarget target, CancellationToken cancellationToken)
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

    /// <summary>Browser frames to the server; ends when the browser closes.</summary>
    private async Task<bool> BrowserToServerAsync(NetworkStream server, CancellationToken cancellationToken)
    {
        var buffer = new byte[options.BufferBytes];
        while (true)
        {
            var received = await browser.ReceiveAsync(buffer.AsMemory(), cancellationToken);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                return true;
            }

            if (received.Count > 0)
            {
                await server.WriteAsync(buffer.AsMemory(0, received.Count), cancellationToken);
            }
        }
    }

    /// <summary>Server bytes to the browser as binary frames; false when the server ended the connection.</summary>
    private async Task<bool> ServerToBrowserAsync(NetworkStream server, CancellationToken cancellationToken)
    {
        var buffer = new byte[options.BufferBytes];
        while (true)
        {
            var read = await server.ReadAsync(buffer, cancellationToken);
            if (read == 0)
            {
                return false;
            }

            await browser.SendAsync(buffer.AsMemory(0, read), WebSocketMessageType.Binary, endOfMessage: true, cancellationToken);
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
