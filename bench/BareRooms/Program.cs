// The limit the Rooms fan-out is measured against (issue 12, "Rooms fan-out"): Kestrel WebSockets speaking the
// same frames as the product's signaling rooms for what bench/RoomsFanout does (create a room, log in, join and get
// `joined`, send telemetry that every other participant receives with `from` added), and nothing else: no
// authentication, no grains, no validation beyond parsing, no storage, no limits. Each socket has one send loop
// fed by a channel; a frame is parsed and serialised once, then the same bytes go to every other participant.
using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using System.Threading.Channels;

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var app = builder.Build();
app.UseWebSockets();

var rooms = new ConcurrentDictionary<string, ConcurrentDictionary<string, Participant>>();

app.MapPost("/api/session", () =>
{
    var id = Guid.NewGuid().ToString("N");
    rooms[id] = new ConcurrentDictionary<string, Participant>();
    return Results.Text(new JsonObject { ["session_id"] = id }.ToJsonString(), "application/json");
});
app.MapPost("/api/login", () => Results.Text(new JsonObject { ["token"] = "bare" }.ToJsonString(), "application/json"));
app.MapGet("/readyz", () => "ready");

app.Map("/ws", async (HttpContext context) =>
{
    if (!context.WebSockets.IsWebSocketRequest || !rooms.TryGetValue(context.Request.Query["session_id"].ToString(), out var room))
    {
        context.Response.StatusCode = 400;
        return;
    }

    using var socket = await context.WebSockets.AcceptWebSocketAsync();
    var self = new Participant(Guid.NewGuid().ToString("N")[..12], socket);
    var participants = new JsonArray(room.Values.Select(p => (JsonNode)new JsonObject { ["id"] = p.Id }).ToArray());
    room[self.Id] = self;
    self.Outbound.Writer.TryWrite(System.Text.Encoding.UTF8.GetBytes(new JsonObject
    {
        ["type"] = "joined",
        ["participant_id"] = self.Id,
        ["participants"] = participants,
    }.ToJsonString()));

    var sending = self.SendLoopAsync();
    var buffer = new byte[64 * 1024];
    try
    {
        while (socket.State == WebSocketState.Open)
        {
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

            if (JsonNode.Parse(buffer.AsSpan(0, length)) is not JsonObject message)
            {
                continue;
            }

            message["from"] = self.Id;
            var frame = System.Text.Encoding.UTF8.GetBytes(message.ToJsonString());
            foreach (var other in room.Values)
            {
                if (!ReferenceEquals(other, self))
                {
                    other.Outbound.Writer.TryWrite(frame);
                }
            }
        }
    }
    catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or System.Text.Json.JsonException)
    {
    }
    finally
    {
        room.TryRemove(self.Id, out _);
        self.Outbound.Writer.TryComplete();
        await sending;
    }
});

app.Run();

sealed class Participant(string id, WebSocket socket)
{
    public string Id { get; } = id;

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
