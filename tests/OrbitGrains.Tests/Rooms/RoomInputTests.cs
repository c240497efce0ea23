using System.Net.WebSockets;

namespace OrbitGrains.Tests.Rooms;

/// <summary>
/// The signaling socket through the one frame reader: a frame that cannot be read unambiguously gets an error frame
/// and the socket stays open (before sign-in it is a failed sign-in, closed with 4401); text that is not UTF-8 closes
/// with 1007. Never an aborted socket.
/// </summary>
[Collection(RoomsCollection.Name)]
public sealed class RoomInputTests(RoomsHostFixture fixture)
{
    [Theory]
    [InlineData("""{"type":"offer","sdp":"v=0","type":"offer"}""", "'type' twice")]
    [InlineData("""{"type":"offer","sdp":"v=0\ud800"}""", "not valid Unicode")]
    [InlineData("""{"type":"telemetry","data":{"a":1,"a":2}}""", "'a' twice")]
    public async Task An_unreadable_frame_gets_an_error_frame_and_the_socket_stays_in_the_room(string frame, string says)
    {
        var session = await fixture.SessionAsync();
        await using var operatorPeer = await fixture.JoinAsync(session, "operator");
        await using var viewer = await fixture.JoinAsync(session, "viewer");

        await operatorPeer.Socket.SendTextAsync(frame);
        var error = await operatorPeer.Socket.NextOfTypeAsync("error");
        Assert.Equal("invalid_json", (string?)error["code"]);
        Assert.Contains(says, (string?)error["detail"] ?? (string?)error["message"]);

        await operatorPeer.Socket.SendAsync(new { type = "telemetry", data = new { ok = true } });
        Assert.True((bool)(await viewer.Socket.NextOfTypeAsync("telemetry"))["data"]!["ok"]!);
        Assert.Equal(WebSocketState.Open, operatorPeer.Socket.State);
    }

    [Fact]
    public async Task An_unreadable_token_message_before_sign_in_is_a_failed_sign_in_closed_with_4401()
    {
        await using var socket = await OrbitSocket.ConnectAsync(fixture.Host.BaseAddress, "/ws");
        await socket.SendTextAsync("""{"token":"\ud800"}""");
        Assert.Equal("unauthorized", (string?)(await socket.NextOfTypeAsync("error"))["code"]);
        await socket.ClosedAsync();
        Assert.Equal(4401, (int?)socket.CloseStatus);
    }

    [Fact]
    public async Task A_text_frame_that_is_not_utf8_closes_the_socket_with_1007()
    {
        var session = await fixture.SessionAsync();
        await using var viewer = await fixture.JoinAsync(session, "viewer");
        await viewer.Socket.SendRawAsync([0x7B, 0x22, 0x74, 0x22, 0x3A, 0xFF, 0x7D], WebSocketMessageType.Text);
        await viewer.Socket.ClosedAsync();
        Assert.Equal(WebSocketCloseStatus.InvalidPayloadData, viewer.Socket.CloseStatus);
    }
}
