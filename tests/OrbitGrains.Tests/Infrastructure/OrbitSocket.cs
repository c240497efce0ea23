using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OrbitGrains.Tests.Infrastructure;

/// <summary>A test peer of the Orbit protocol over a real WebSocket: send JSON, await the next frame that matches.</summary>
public sealed class OrbitSocket : IAsyncDisposable
{
    private readonly ClientWebSocket _socket;
    private readonly Task _pump;
    private readonly System.Threading.Channels.Channel<JsonObject> _frames = System.Threading.Channels.Channel.CreateUnbounded<JsonObject>();

    private OrbitSocket(ClientWebSocket socket)
    {
        _socket = socket;
        _pump = PumpAsync();
    }

    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;

    /// <summary>True while neither side has closed or aborted the socket.</summary>
    public bool IsOpen => _socket.State == WebSocketState.Open;
    public string? CloseDescription => _socket.CloseStatusDescription;
    public WebSocketState State => _socket.State;

    /// <summary>Completes when the socket has closed, however it closed (a pacing loop waits on it beside its delay).</summary>
    public Task Closed => _pump;

    /// <param name="validateCertificate">For https base addresses: how the server's certificate is checked (e.g. against a test CA).</param>
    public static async Task<OrbitSocket> ConnectAsync(Uri baseAddress, string path, System.Net.Security.RemoteCertificateValidationCallback? validateCertificate = null)
    {
        var socket = new ClientWebSocket();
        socket.Options.RemoteCertificateValidationCallback = validateCertificate;
        var uri = new UriBuilder(baseAddress) { Scheme = baseAddress.Scheme == "https" ? "wss" : "ws", Path = path.Split('?')[0], Query = path.Contains('?') ? path[(path.IndexOf('?') + 1)..] : "" }.Uri;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await socket.ConnectAsync(uri, timeout.Token);
        return new OrbitSocket(socket);
    }

    public Task SendAsync(object message) => SendTextAsync(JsonSerializer.Serialize(message));

    public Task SendTextAsync(string text) => SendRawAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text);

    public async Task SendRawAsync(byte[] bytes, WebSocketMessageType type)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await _socket.SendAsync(bytes, type, true, timeout.Token);
    }

    /// <summary>The next frame satisfying the predicate; frames before it are skipped.</summary>
    public async Task<JsonObject> NextAsync(Func<JsonObject, bool>? match = null, TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        try
        {
            while (true)
            {
                var frame = await _frames.Reader.ReadAsync(cancel.Token);
                if (match is null || match(frame))
                {
                    return frame;
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException("No matching frame arrived.");
        }
        catch (System.Threading.Channels.ChannelClosedException)
        {
            throw new InvalidOperationException($"The socket closed ({CloseStatus} {CloseDescription}) before a matching frame arrived.");
        }
    }

    public Task<JsonObject> NextOfTypeAsync(string type) => NextAsync(f => (string?)f["type"] == type);

    /// <summary>Collects every frame that arrives within the window (for proving that something does NOT arrive).</summary>
    public async Task<List<JsonObject>> DrainAsync(TimeSpan window)
    {
        var frames = new List<JsonObject>();
        using var cancel = new CancellationTokenSource(window);
        try
        {
            while (true)
            {
                frames.Add(await _frames.Reader.ReadAsync(cancel.Token));
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or System.Threading.Channels.ChannelClosedException)
        {
            return frames;
        }
    }

    /// <summary>Waits until the server closes the socket.</summary>
    public async Task ClosedAsync(TimeSpan? timeout = null)
    {
        await _pump.WaitAsync(timeout ?? TimeSpan.FromSeconds(10));
    }

    private async Task PumpAsync()
    {
        var buffer = new byte[1 << 20];
        try
        {
            while (_socket.State == WebSocketState.Open)
            {
                var length = 0;
                WebSocketReceiveResult result;
                do
                {
                    if (length == buffer.Length)
                    {
                        // Messages of many megabytes (inline images) are real traffic too.
                        Array.Resize(ref buffer, buffer.Length * 2);
                    }

                    result = await _socket.ReceiveAsync(new ArraySegment<byte>(buffer, length, buffer.Length - length), CancellationToken.None);
                    length += result.Count;
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    // Complete the close handshake, as browsers do, so the server need not wait for it.
                    await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "ok", CancellationToken.None);
                    break;
                }

                if (JsonNode.Parse(Encoding.UTF8.GetString(buffer, 0, length)) is JsonObject frame)
                {
                    await _frames.Writer.WriteAsync(frame);
                }
            }
        }
        catch (WebSocketException)
        {
        }
        finally
        {
            _frames.Writer.TryComplete();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
        }

        _socket.Dispose();
    }
}
