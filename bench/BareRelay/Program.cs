// The limit the relay is measured against: Kestrel WebSockets with the same message pattern as the Orbit
// relay (anchor frames fan out to the clients of the same group, client frames go to the group's anchor),
// and nothing else: no Orleans, no routing rules, no storage. Each socket has one send loop fed by a channel.
// BARE_ZERO_BYTE_READS=1 makes each socket wait for data with a zero-byte read and borrow its buffer from the shared
// pool only while a message is read, as the product does: the floor for the idle-memory comparison. Off by default, so
// the latency baseline keeps its one read per message.
using System.Buffers;
using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Threading.Channels;

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var app = builder.Build();
app.UseWebSockets();

var groups = new ConcurrentDictionary<string, Group>();
var zeroByteReads = Environment.GetEnvironmentVariable("BARE_ZERO_BYTE_READS") == "1";

app.Map("/ws/{role}", async (HttpContext context, string role) =>
{
    if (!context.WebSockets.IsWebSocketRequest)
    {
        context.Response.StatusCode = 426;
        return;
    }

    var group = groups.GetOrAdd(context.Request.Query["group"].ToString(), _ => new Group());
    using var socket = await context.WebSockets.AcceptWebSocketAsync();
    var peer = new Peer(socket);
    if (role == "anchor")
    {
        group.Anchor = peer;
    }
    else
    {
        group.Clients[peer] = 0;
    }

    var sending = peer.SendLoopAsync();
    var buffer = zeroByteReads ? [] : new byte[64 * 1024];
    try
    {
        while (socket.State == WebSocketState.Open)
        {
            if (zeroByteReads)
            {
                await socket.ReceiveAsync(Memory<byte>.Empty, context.RequestAborted);
                buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
            }

            var length = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(buffer.AsMemory(length), context.RequestAborted);
                length += result.Count;
            }
            while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

            if (result.MessageType == WebSocketMessageType.Close)
            {
                break;
            }

            var frame = buffer.AsSpan(0, length).ToArray();
            if (zeroByteReads)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            if (role == "anchor")
            {
                foreach (var client in group.Clients.Keys)
                {
                    client.Outbound.Writer.TryWrite(frame);
                }
            }
            else
            {
                group.Anchor?.Outbound.Writer.TryWrite(frame);
            }
        }
    }
    catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
    {
    }
    finally
    {
        group.Clients.TryRemove(peer, out _);
        peer.Outbound.Writer.TryComplete();
        await sending;
    }
});

app.Run();

sealed class Group
{
    public Peer? Anchor { get; set; }
    public ConcurrentDictionary<Peer, byte> Clients { get; } = new();
}

sealed class Peer(WebSocket socket)
{
    public Channel<byte[]> Outbound { get; } = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(4096) { FullMode = BoundedChannelFullMode.DropWrite });

    public async Task SendLoopAsync()
    {
        try
        {
            await foreach (var frame in Outbound.Reader.ReadAllAsync())
            {
                await socket.SendAsync(frame, WebSocketMessageType.Text, true, CancellationToken.None);
            }
        }
        catch (WebSocketException)
        {
        }
    }
}
