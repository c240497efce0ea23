using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using OrbitGrains.Cloud;
using OrbitGrains.WebFrontend.Sockets;

namespace OrbitGrains.WebFrontend.Cloud;

/// <summary>
/// The browser's socket to an instance's agent gateway (spec: cloud.md): status frames while connecting, a ping
/// event every 5 s, text both ways, and the gateway's `tick`, `health` and `presence` events dropped. The browser
/// side is a <see cref="BoundedSocket"/> (bounded queue, frame size and rate); the gateway side is read one message
/// at a time and written to only as fast as it takes them, so neither side can grow the proxy's memory.
/// </summary>
public sealed partial class CloudbotRelay(WebSocket browser, CloudProxyOptions options, TimeProvider clock, ILogger<CloudbotRelay> logger)
{
    private static readonly string[] DroppedEvents = ["tick", "health", "presence"];
    private static readonly byte[] Ping = Encoding.UTF8.GetBytes("""{"type":"event","event":"ping","payload":{}}""");

    public static string Status(string status, string message) => JsonSerializer.Serialize(new
    {
        type = "event",
        @event = "status",
        payload = new { status, message },
    });

    /// <summary>
    /// Relays until either side ends; when <paramref name="ending"/> fires (the node stopping: 1001; the caller's access
    /// ending: 1008) the browser is closed with that code after what was queued for it.
    /// </summary>
    public async Task RunAsync(ProxyTarget target, ProxyEnding ending, CancellationToken cancellationToken)
    {
        var limits = new SocketLimits(options.MaxGatewayFrameBytes, options.MaxBrowserQueueBytes, 100, (_, detail) => Status("error", detail));
        var socket = new BoundedSocket(browser, limits, clock, logger);
        using var ended = ending.OnEnd(socket.Close);
        socket.Enqueue(Status("connecting", "Connecting to the CloudBot gateway..."));
        using var gateway = new ClientWebSocket();
        gateway.Options.SetRequestHeader("Authorization", $"Bearer {target.GatewayToken}");
        gateway.Options.KeepAliveInterval = TimeSpan.FromSeconds(20);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var browserLoop = socket.RunAsync(frame => ToGatewayAsync(gateway, frame, stop.Token), stop.Token);
        try
        {
            using var connect = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
            connect.CancelAfter(options.ConnectTimeout);
            await gateway.ConnectAsync(new Uri(target.GatewayUrl), connect.Token);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or HttpRequestException)
        {
            LogUnreachable(logger, ex.GetType().Name);
            socket.Enqueue(Status("error", "The CloudBot gateway is unavailable."));
            socket.Close(WebSocketCloseStatus.InternalServerError, "Gateway unavailable");
            await browserLoop;
            return;
        }

        var pings = PingAsync(socket, stop.Token);
        var fromGateway = FromGatewayAsync(gateway, socket, stop.Token);
        var first = await Task.WhenAny(browserLoop, fromGateway);
        if (first == fromGateway)
        {
            // The gateway went away (or broke a limit): the browser is told 1011, after what was queued for it.
            socket.Close(WebSocketCloseStatus.InternalServerError, "Gateway disconnected");
            await browserLoop;
        }

        stop.Cancel();
        if (gateway.State == WebSocketState.Open)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                await gateway.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "Browser left", timeout.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
                // Gone already.
            }
        }

        gateway.Abort();
        await Quietly(fromGateway);
        await Quietly(pings);
    }

    /// <summary>A browser frame to the gateway, as text; awaited, so a slow gateway slows the browser's reading.</summary>
    private static Task ToGatewayAsync(ClientWebSocket gateway, InboundFrame frame, CancellationToken cancellationToken) =>
        gateway.State == WebSocketState.Open
            ? gateway.SendAsync(Encoding.UTF8.GetBytes(frame.Text), WebSocketMessageType.Text, true, cancellationToken)
            : Task.CompletedTask;

    private async Task PingAsync(BoundedSocket socket, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(options.PingInterval, clock);
        while (await timer.WaitForNextTickAsync(cancellationToken) && !socket.IsClosing)
        {
            socket.Enqueue(Ping);
        }
    }

    /// <summary>Relays the gateway's text messages until it closes; the filtered events are dropped.</summary>
    private async Task FromGatewayAsync(ClientWebSocket gateway, BoundedSocket socket, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            while (gateway.State == WebSocketState.Open)
            {
                var length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    if (length == buffer.Length)
                    {
                        if (buffer.Length > options.MaxGatewayFrameBytes)
                        {
                            LogOversized(logger, options.MaxGatewayFrameBytes);
                            return;
                        }

                        var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                        buffer.AsSpan(0, length).CopyTo(bigger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = bigger;
                    }

                    result = await gateway.ReceiveAsync(buffer.AsMemory(length), cancellationToken);
                    length += result.Count;
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                if (result.MessageType != WebSocketMessageType.Text || length > options.MaxGatewayFrameBytes || IsDropped(buffer.AsSpan(0, length)))
                {
                    continue;
                }

                if (!socket.Enqueue(buffer.AsSpan(0, length).ToArray()))
                {
                    // The browser fell too far behind and was cut off.
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // The gateway went away.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>True for `{"type":"event","event":"tick"|"health"|"presence",...}`: gateway housekeeping the browser never sees.</summary>
    public static bool IsDropped(ReadOnlySpan<byte> message)
    {
        var reader = new Utf8JsonReader(message, new JsonReaderOptions { MaxDepth = 64 });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            string? type = null, name = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isType = reader.ValueTextEquals("type"u8);
                var isEvent = reader.ValueTextEquals("event"u8);
                reader.Read();
                if (reader.TokenType == JsonTokenType.String && (isType || isEvent))
                {
                    if (isType)
                    {
                        type = reader.GetString();
                    }
                    else
                    {
                        name = reader.GetString();
                    }
                }
                else
                {
                    reader.Skip();
                }

                if (type is not null && name is not null)
                {
                    break;
                }
            }

            return type == "event" && name is not null && DroppedEvents.Contains(name);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static async Task Quietly(Task task)
    {
        try
        {
            await task;
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cloudbot proxy: the instance's gateway is unreachable ({Error}).")]
    private static partial void LogUnreachable(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cloudbot proxy: the gateway sent a message over {Limit} bytes; the connection is closed.")]
    private static partial void LogOversized(ILogger logger, int limit);
}
