using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;

namespace OrbitGrains.Tests.Operations.Chaos;

/// <summary>
/// Teleoperation rooms: per room a robot streaming telemetry (10 frames a second) and an operator on the other front
/// end who receives it and sends an emergency stop every 1.5 s. An `estop_ack` is an acknowledged write (its audit
/// entry is stored before the ack): every acknowledged `audit_sequence` must be in the room's audit log afterwards.
/// </summary>
public sealed class RoomsLoad(ChaosContext context, Connections connections)
{
    private readonly List<Room> _rooms = [];
    private readonly ConcurrentQueue<(string Room, long Sequence, double At)> _acks = new();
    private long _telemetrySent;
    private long _telemetryReceived;
    private int _estopsUnanswered;

    public int EstopsAcknowledged => _acks.Count;

    public int EstopsUnanswered => _estopsUnanswered;

    public long TelemetrySent => Interlocked.Read(ref _telemetrySent);

    public long TelemetryReceived => Interlocked.Read(ref _telemetryReceived);

    public int EstopsBetween(double from, double to) => _acks.Count(a => a.At >= from && a.At <= to);

    public async Task PrepareAsync(int rooms)
    {
        for (var i = 0; i < rooms; i++)
        {
            var created = await JsonAsync(await context.Http(i).SendAsync(context.Admin(HttpMethod.Post, "/api/session", new { name = $"chaos-{i}" })), HttpStatusCode.Created);
            var id = (string)created["session_id"]!;
            var robot = await JsonAsync(await context.Http(i).SendAsync(context.Admin(HttpMethod.Post, "/api/login", new { role = "robot", session_id = id })), HttpStatusCode.OK);
            var operatorToken = await JsonAsync(await context.Http(i).SendAsync(context.Admin(HttpMethod.Post, "/api/login", new { role = "operator", session_id = id })), HttpStatusCode.OK);
            _rooms.Add(new Room($"room{i}", id, (string)robot["token"]!, (string)operatorToken["token"]!, i));
        }
    }

    public IEnumerable<Task> Run(CancellationToken stop) =>
        _rooms.SelectMany(room => new[] { RobotAsync(room, stop), OperatorAsync(room, stop) });

    private Task RobotAsync(Room room, CancellationToken stop) => ParticipantAsync($"{room.Name}-robot", room, room.RobotToken, room.Index, stop, async socket =>
    {
        var seq = 0;
        while (!stop.IsCancellationRequested && !socket.Closed.IsCompleted)
        {
            await socket.SendAsync(new { type = "telemetry", data = new { seq = ++seq } });
            Interlocked.Increment(ref _telemetrySent);
            await Task.WhenAny(socket.Closed, Task.Delay(100, stop));
        }
    });

    private Task OperatorAsync(Room room, CancellationToken stop) => ParticipantAsync($"{room.Name}-operator", room, room.OperatorToken, room.Index + 1, stop, async socket =>
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                // Reads telemetry for a while; only a closed socket ends the wait early (with an exception).
                await socket.NextAsync(f => !Count(f), TimeSpan.FromSeconds(1.5));
            }
            catch (TimeoutException)
            {
            }

            if (stop.IsCancellationRequested)
            {
                return;
            }

            await socket.SendAsync(new { type = "estop", reason = "chaos" });
            JsonObject answer;
            try
            {
                answer = await socket.NextAsync(f => Count(f) && (string?)f["type"] is "estop_ack" or "error", TimeSpan.FromSeconds(30));
            }
            catch (TimeoutException)
            {
                Interlocked.Increment(ref _estopsUnanswered);
                continue;
            }

            if ((string?)answer["type"] == "estop_ack")
            {
                _acks.Enqueue((room.Id, (long)answer["audit_sequence"]!, context.Now));
            }
            else
            {
                Interlocked.Increment(ref _estopsUnanswered);
            }
        }
    });

    private Task ParticipantAsync(string who, Room room, string token, int front, CancellationToken stop, Func<OrbitSocket, Task> work) =>
        connections.KeepConnectedAsync(who, front, $"/ws?token={Uri.EscapeDataString(token)}&session_id={room.Id}", async socket =>
        {
            await socket.NextAsync(f => (string?)f["type"] == "joined", TimeSpan.FromSeconds(30));
            connections.Back(who);
            await work(socket);
        }, lost: null, stop);

    /// <summary>Acknowledged emergency stops whose audit entry cannot be found afterwards.</summary>
    public async Task<List<string>> LostAsync()
    {
        var lost = new List<string>();
        foreach (var room in _rooms)
        {
            var audited = new HashSet<long>();
            long after = 0;
            while (true)
            {
                var page = await JsonAsync(await context.ReadAsync(0, () => context.Admin(HttpMethod.Get, $"/api/admin/audit?log={room.Id}&after={after}&limit=500")), HttpStatusCode.OK);
                foreach (var entry in page["entries"]!.AsArray())
                {
                    if (((string?)entry!["action"])?.Contains("estop", StringComparison.Ordinal) == true)
                    {
                        audited.Add((long)entry["seq"]!);
                    }
                }

                if (page["next_after"] is null || page["next_after"]!.GetValueKind() == System.Text.Json.JsonValueKind.Null)
                {
                    break;
                }

                after = (long)page["next_after"]!;
            }

            lost.AddRange(_acks.Where(a => a.Room == room.Id && !audited.Contains(a.Sequence)).Select(a => $"estop {room.Name} audit_sequence {a.Sequence} acknowledged at {a.At:F1}s"));
        }

        return lost;
    }

    private bool Count(JsonObject frame)
    {
        if ((string?)frame["type"] == "telemetry")
        {
            Interlocked.Increment(ref _telemetryReceived);
        }

        return true;
    }

    internal static async Task<JsonObject> JsonAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == expected, $"{response.RequestMessage?.RequestUri}: expected {(int)expected}, got {(int)response.StatusCode}: {text}");
            return JsonNode.Parse(text)!.AsObject();
        }
    }

    private sealed record Room(string Name, string Id, string RobotToken, string OperatorToken, int Index);
}
