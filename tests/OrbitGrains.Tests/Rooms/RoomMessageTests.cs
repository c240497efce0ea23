using System.Net.WebSockets;
using System.Text.Json.Nodes;

namespace OrbitGrains.Tests.Rooms;

/// <summary>Every message type, valid and invalid, over real sockets: what is relayed, to whom, and what is refused.</summary>
[Collection(RoomsCollection.Name)]
public sealed class RoomMessageTests(RoomsHostFixture fixture)
{
    public static TheoryData<string, string> ValidMessages => new()
    {
        { "offer", """{"type":"offer","sdp":"v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n"}""" },
        { "answer", """{"type":"answer","sdp":"v=0\r\n"}""" },
        { "ice", """{"type":"ice","candidate":{"candidate":"candidate:1 1 udp 2122260223 10.0.0.2 50000 typ host","sdpMid":"0","sdpMLineIndex":0}}""" },
        { "ice", """{"type":"ice","candidate":"candidate:1 1 udp 2122260223 10.0.0.2 50000 typ host"}""" },
        { "telemetry", """{"type":"telemetry","data":{"battery":0.93,"pose":{"x":1.5,"y":-2}}}""" },
    };

    public static TheoryData<string, string> InvalidMessages => new()
    {
        { "invalid_json", "not json at all" },
        { "invalid_json", "[1,2,3]" },
        { "invalid_message", """{"sdp":"v=0"}""" },
        { "invalid_message", """{"type":42}""" },
        { "unknown_type", """{"type":"smoke","payload":{}}""" },
        { "invalid_message", """{"type":"offer"}""" },
        { "invalid_message", """{"type":"offer","sdp":""}""" },
        { "invalid_message", """{"type":"answer","sdp":17}""" },
        { "invalid_message", """{"type":"ice"}""" },
        { "invalid_message", """{"type":"ice","candidate":{"sdpMid":"0"}}""" },
        { "invalid_message", """{"type":"ice","candidate":{"candidate":"c","sdpMLineIndex":-1}}""" },
        { "invalid_message", """{"type":"telemetry","data":"fast"}""" },
        { "invalid_message", """{"type":"telemetry"}""" },
        { "invalid_message", """{"type":"join"}""" },
        { "invalid_message", """{"type":"join","session_id":"../etc"}""" },
        { "invalid_message", """{"type":"estop","reason":5}""" },
        { "invalid_message", """{"type":"control","action":"steal"}""" },
        { "invalid_message", """{"type":"command","data":[1]}""" },
        { "invalid_message", """{"type":"offer","sdp":"v=0","to":7}""" },
    };

    [Theory]
    [MemberData(nameof(ValidMessages))]
    public async Task A_valid_message_reaches_everyone_else_stamped_with_its_sender_and_never_echoes(string type, string message)
    {
        var session = await fixture.SessionAsync();
        await using var robot = await fixture.JoinAsync(session, "robot");
        await using var viewer = await fixture.JoinAsync(session, "viewer");
        await using var operatorPeer = await fixture.JoinAsync(session, "operator");
        var sender = type == "telemetry" ? robot : viewer;
        var others = new[] { robot, viewer, operatorPeer }.Where(p => p != sender).ToList();

        await sender.Socket.SendTextAsync(message);

        foreach (var other in others)
        {
            var got = await other.Socket.NextOfTypeAsync(type);
            Assert.Equal(sender.Id, (string?)got["from"]);
            var original = JsonNode.Parse(message)!.AsObject();
            foreach (var (key, value) in original)
            {
                Assert.True(JsonNode.DeepEquals(value, got[key]), $"{key} relayed unchanged");
            }
        }

        Assert.DoesNotContain(await sender.Socket.DrainAsync(TimeSpan.FromMilliseconds(300)), f => (string?)f["type"] == type);
    }

    [Theory]
    [MemberData(nameof(InvalidMessages))]
    public async Task An_invalid_message_gets_an_error_frame_and_is_not_relayed(string code, string message)
    {
        var session = await fixture.SessionAsync();
        await using var sender = await fixture.JoinAsync(session, "operator");
        await using var other = await fixture.JoinAsync(session, "viewer");
        await sender.Socket.NextOfTypeAsync("participant_joined");

        await sender.Socket.SendTextAsync(message);

        var error = await sender.Socket.NextOfTypeAsync("error");
        Assert.Equal(code, (string?)error["code"]);
        Assert.False(string.IsNullOrWhiteSpace((string?)error["detail"]));
        Assert.Empty(await other.Socket.DrainAsync(TimeSpan.FromMilliseconds(300)));
        // Still in the room and usable.
        await sender.Socket.SendAsync(new { type = "offer", sdp = "v=0" });
        await other.Socket.NextOfTypeAsync("offer");
    }

    [Fact]
    public async Task A_message_with_to_reaches_only_that_participant_and_an_unknown_to_is_refused()
    {
        var session = await fixture.SessionAsync();
        await using var a = await fixture.JoinAsync(session, "operator");
        await using var b = await fixture.JoinAsync(session, "robot");
        await using var c = await fixture.JoinAsync(session, "viewer");

        await a.Socket.SendAsync(new { type = "offer", sdp = "v=0 for b", to = b.Id });
        var offer = await b.Socket.NextOfTypeAsync("offer");
        Assert.Equal("v=0 for b", (string?)offer["sdp"]);
        Assert.Equal(a.Id, (string?)offer["from"]);
        Assert.DoesNotContain(await c.Socket.DrainAsync(TimeSpan.FromMilliseconds(300)), f => (string?)f["type"] == "offer");

        await a.Socket.SendAsync(new { type = "answer", sdp = "v=0", to = "p-nobody" });
        Assert.Equal("unknown_participant", (string?)(await a.Socket.NextOfTypeAsync("error"))["code"]);
        Assert.DoesNotContain(await b.Socket.DrainAsync(TimeSpan.FromMilliseconds(300)), f => (string?)f["type"] == "answer");
    }

    [Fact]
    public async Task The_sender_cannot_forge_its_identity()
    {
        var session = await fixture.SessionAsync();
        await using var viewer = await fixture.JoinAsync(session, "viewer");
        await using var robot = await fixture.JoinAsync(session, "robot");

        await viewer.Socket.SendAsync(new { type = "offer", sdp = "v=0", from = robot.Id, role = "admin" });
        var offer = await robot.Socket.NextOfTypeAsync("offer");
        Assert.Equal(viewer.Id, (string?)offer["from"]);
        Assert.Equal("viewer", (string?)offer["role"]);
    }

    [Fact]
    public async Task Viewers_cannot_publish_telemetry()
    {
        var session = await fixture.SessionAsync();
        await using var viewer = await fixture.JoinAsync(session, "viewer");
        await using var robot = await fixture.JoinAsync(session, "robot");
        await viewer.Socket.SendAsync(new { type = "telemetry", data = new { speed = 1 } });
        Assert.Equal("forbidden", (string?)(await viewer.Socket.NextOfTypeAsync("error"))["code"]);
        Assert.DoesNotContain(await robot.Socket.DrainAsync(TimeSpan.FromMilliseconds(300)), f => (string?)f["type"] == "telemetry");
    }

    [Fact]
    public async Task A_viewer_estop_is_refused_and_audited_and_reaches_nobody()
    {
        var session = await fixture.SessionAsync();
        await using var viewer = await fixture.JoinAsync(session, "viewer", "vera");
        await using var robot = await fixture.JoinAsync(session, "robot");

        await viewer.Socket.SendAsync(new { type = "estop", reason = "just looking" });

        var error = await viewer.Socket.NextOfTypeAsync("error");
        Assert.Equal("forbidden", (string?)error["code"]);
        Assert.Equal("estop", (string?)error["ref"]);
        Assert.DoesNotContain(await robot.Socket.DrainAsync(TimeSpan.FromMilliseconds(300)), f => (string?)f["type"] == "estop");
        var refused = Assert.Single(await fixture.AuditAsync(session), e => (string?)e!["action"] == "estop_refused")!;
        Assert.Equal("viewer", (string?)refused["role"]);
        Assert.StartsWith("vera", (string?)refused["actor"]);
        Assert.Equal("127.0.0.1", (string?)refused["address"]);
    }

    [Fact]
    public async Task An_operator_estop_reaches_every_participant_and_is_audited_before_the_ack()
    {
        var session = await fixture.SessionAsync();
        await using var robot = await fixture.JoinAsync(session, "robot");
        await using var viewer = await fixture.JoinAsync(session, "viewer");
        await using var operatorPeer = await fixture.JoinAsync(session, "operator", "olga");

        await operatorPeer.Socket.SendAsync(new { type = "estop", reason = "obstacle" });

        foreach (var peer in new[] { robot, viewer })
        {
            var estop = await peer.Socket.NextOfTypeAsync("estop");
            Assert.Equal(operatorPeer.Id, (string?)estop["from"]);
            Assert.Equal("obstacle", (string?)estop["reason"]);
            // The same shape as an admin's estop (RoomAdminTests), whoever sends it.
            Assert.Equal(["from", "from_name", "reason", "role", "ts", "type"], estop.Select(m => m.Key).Order());
            Assert.Equal("operator", (string?)estop["role"]);
        }

        var ack = await operatorPeer.Socket.NextOfTypeAsync("estop_ack");
        Assert.Equal(2, (int)ack["delivered"]!);
        // The ack carries the audit sequence: the entry was stored before the ack was sent.
        var entries = await fixture.AuditAsync(session);
        var audited = Assert.Single(entries, e => (string?)e!["action"] == "estop")!;
        Assert.Equal((long)ack["audit_sequence"]!, (long)audited["seq"]!);
        Assert.Equal("operator", (string?)audited["role"]);
        Assert.StartsWith("olga", (string?)audited["actor"]);
        Assert.Contains("obstacle", (string?)audited["detail"]);
        Assert.Equal("127.0.0.1", (string?)audited["address"]);
        Assert.True(DateTimeOffset.UtcNow - DateTimeOffset.Parse((string)audited["at"]!) < TimeSpan.FromMinutes(1));
        Assert.Contains(entries, e => (string?)e!["action"] == "join" && (string?)e["role"] == "robot");
    }

    [Fact]
    public async Task One_operator_holds_the_control_lock_and_only_the_holder_may_command()
    {
        var session = await fixture.SessionAsync();
        await using var robot = await fixture.JoinAsync(session, "robot");
        await using var first = await fixture.JoinAsync(session, "operator", "first");
        await using var second = await fixture.JoinAsync(session, "operator", "second");

        await first.Socket.SendAsync(new { type = "command", data = new { v = 1 } });
        Assert.Equal("control_required", (string?)(await first.Socket.NextOfTypeAsync("error"))["code"]);

        await first.Socket.SendAsync(new { type = "control", action = "acquire" });
        Assert.Equal(first.Id, (string?)(await robot.Socket.NextOfTypeAsync("control"))["holder"]);
        Assert.Equal(first.Id, (string?)(await second.Socket.NextOfTypeAsync("control"))["holder"]);

        await second.Socket.SendAsync(new { type = "control", action = "acquire" });
        Assert.Equal("control_locked", (string?)(await second.Socket.NextOfTypeAsync("error"))["code"]);
        await second.Socket.SendAsync(new { type = "control", action = "release" });
        Assert.Equal("not_holder", (string?)(await second.Socket.NextOfTypeAsync("error"))["code"]);
        await second.Socket.SendAsync(new { type = "command", data = new { v = 2 } });
        Assert.Equal("control_required", (string?)(await second.Socket.NextOfTypeAsync("error"))["code"]);

        await first.Socket.SendAsync(new { type = "command", data = new { v = 3 }, to = robot.Id });
        Assert.Equal(3, (int)(await robot.Socket.NextOfTypeAsync("command"))["data"]!["v"]!);

        // The holder going away frees the lock for the next operator.
        await first.Socket.DisposeAsync();
        Assert.Null((string?)(await second.Socket.NextAsync(f => (string?)f["type"] == "control"))["holder"]);
        await second.Socket.SendAsync(new { type = "control", action = "acquire" });
        Assert.Equal(second.Id, (string?)(await robot.Socket.NextAsync(f => (string?)f["type"] == "control" && f["holder"] is not null))["holder"]);
    }

    [Fact]
    public async Task Viewers_cannot_take_the_control_lock_but_an_admin_can_take_it_over()
    {
        var session = await fixture.SessionAsync();
        await using var holder = await fixture.JoinAsync(session, "operator");
        await using var viewer = await fixture.JoinAsync(session, "viewer");
        await using var admin = await fixture.JoinAsync(session, "admin");
        await holder.Socket.SendAsync(new { type = "control", action = "acquire" });
        await admin.Socket.NextOfTypeAsync("control");

        await viewer.Socket.SendAsync(new { type = "control", action = "acquire" });
        Assert.Equal("forbidden", (string?)(await viewer.Socket.NextOfTypeAsync("error"))["code"]);

        await admin.Socket.SendAsync(new { type = "control", action = "acquire" });
        Assert.Equal(admin.Id, (string?)(await holder.Socket.NextAsync(f => (string?)f["type"] == "control" && (string?)f["holder"] == admin.Id))["holder"]);
    }

    [Fact]
    public async Task Join_and_leave_messages_move_a_participant_between_rooms()
    {
        var first = await fixture.SessionAsync();
        var second = await fixture.SessionAsync();
        await using var mover = await fixture.JoinAsync(first, "operator");
        await using var stayer = await fixture.JoinAsync(first, "viewer");
        await using var waiting = await fixture.JoinAsync(second, "robot");

        await mover.Socket.SendAsync(new { type = "join", session_id = second });
        var joined = await mover.Socket.NextOfTypeAsync("joined");
        Assert.Equal(second, (string?)joined["session_id"]);
        Assert.Contains(((JsonArray)joined["participants"]!), p => (string?)p!["id"] == waiting.Id);
        Assert.Equal(mover.Id, (string?)(await stayer.Socket.NextOfTypeAsync("participant_left"))["participant_id"]);

        await mover.Socket.SendAsync(new { type = "offer", sdp = "v=0" });
        await waiting.Socket.NextOfTypeAsync("offer");
        Assert.DoesNotContain(await stayer.Socket.DrainAsync(TimeSpan.FromMilliseconds(300)), f => (string?)f["type"] == "offer");

        await mover.Socket.SendAsync(new { type = "join", session_id = "0000000000000000000000000000dead" });
        Assert.Equal("unknown_session", (string?)(await mover.Socket.NextOfTypeAsync("error"))["code"]);

        await mover.Socket.SendAsync(new { type = "leave" });
        Assert.Equal(second, (string?)(await mover.Socket.NextOfTypeAsync("left"))["session_id"]);
        Assert.Equal(mover.Id, (string?)(await waiting.Socket.NextOfTypeAsync("participant_left"))["participant_id"]);
        await mover.Socket.SendAsync(new { type = "offer", sdp = "v=0" });
        Assert.Equal("not_in_room", (string?)(await mover.Socket.NextOfTypeAsync("error"))["code"]);
    }

    [Fact]
    public async Task An_oversized_message_gets_an_error_frame_then_close_1009()
    {
        var session = await fixture.SessionAsync();
        await using var sender = await fixture.JoinAsync(session, "operator");
        await using var other = await fixture.JoinAsync(session, "viewer");

        await sender.Socket.SendAsync(new { type = "offer", sdp = new string('a', RoomsHostFixture.MaxMessageBytes + 10) });

        Assert.Equal("message_too_large", (string?)(await sender.Socket.NextOfTypeAsync("error"))["code"]);
        await sender.Socket.ClosedAsync();
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, sender.Socket.CloseStatus);
        Assert.Equal(sender.Id, (string?)(await other.Socket.NextOfTypeAsync("participant_left"))["participant_id"]);
    }

    [Fact]
    public async Task A_participant_over_the_rate_gets_an_error_frame_then_close_1008()
    {
        var session = await fixture.SessionAsync();
        await using var robot = await fixture.JoinAsync(session, "robot");
        await using var viewer = await fixture.JoinAsync(session, "viewer");

        var sent = 0;
        while (robot.Socket.State == WebSocketState.Open && sent < RoomsHostFixture.MessagesPerSecond * 10)
        {
            try
            {
                await robot.Socket.SendAsync(new { type = "telemetry", data = new { n = sent++ } });
            }
            catch (WebSocketException)
            {
                break;
            }
        }

        Assert.Equal("rate_limited", (string?)(await robot.Socket.NextOfTypeAsync("error"))["code"]);
        await robot.Socket.ClosedAsync();
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, robot.Socket.CloseStatus);
        // The burst within the limit was delivered.
        Assert.Equal(0, (int)(await viewer.Socket.NextOfTypeAsync("telemetry"))["data"]!["n"]!);
    }

    [Fact]
    public async Task A_binary_frame_neither_kills_the_room_nor_leaks_the_socket()
    {
        var session = await fixture.SessionAsync();
        await using var sender = await fixture.JoinAsync(session, "operator");
        await using var other = await fixture.JoinAsync(session, "viewer");

        await sender.Socket.SendRawAsync([0xff, 0xfe, 0x00, 0x01], WebSocketMessageType.Binary);
        Assert.Equal("invalid_message", (string?)(await sender.Socket.NextOfTypeAsync("error"))["code"]);
        await sender.Socket.SendRawAsync("""{"type":"offer","sdp":"v=binary"}"""u8.ToArray(), WebSocketMessageType.Binary);
        Assert.Equal("v=binary", (string?)(await other.Socket.NextOfTypeAsync("offer"))["sdp"]);
    }

    [Fact]
    public async Task Every_socket_hears_joined_before_anything_else_even_when_many_join_at_once()
    {
        var session = await fixture.SessionAsync();
        var token = await fixture.RoomTokenAsync("viewer");
        var sockets = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ =>
            OrbitSocket.ConnectAsync(fixture.Host.BaseAddress, $"/ws?token={token}&session_id={session}")));
        try
        {
            foreach (var socket in sockets)
            {
                Assert.Equal("joined", (string?)(await socket.NextAsync())["type"]);
            }
        }
        finally
        {
            foreach (var socket in sockets)
            {
                await socket.DisposeAsync();
            }
        }
    }
}
