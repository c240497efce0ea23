using System.Net.WebSockets;
using System.Text;

namespace OrbitGrains.Tests.Rooms;

/// <summary>
/// A participant that falls silent without closing (a frozen process, a dead network: no FIN) is gone within the
/// keep-alive bound, and a control lock it held is released for the next operator.
/// </summary>
public sealed class RoomLivenessTests : IAsyncLifetime
{
    private readonly TempDirectory _data = new("rooms-liveness");
    private RunningHost _host = null!;

    public async Task InitializeAsync()
    {
        var configuration = RoomsHostFixture.Configuration(_data.Path, "rooms-liveness");
        configuration["WEBSOCKET_KEEPALIVE_SEC"] = "1";
        configuration["WEBSOCKET_KEEPALIVE_TIMEOUT_SEC"] = "5";
        _host = await RunningHost.StartFrontEndAsync(configuration);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task A_frozen_operator_loses_the_control_lock_within_the_keep_alive_bound()
    {
        var session = await RoomsHostFixture.SessionAsync(_host);
        await using var robot = await RoomsHostFixture.JoinAsync(_host, session, "robot");

        // An operator that joins, takes the lock, and then never reads again: no Pong ever answers the server's Pings.
        var token = await RoomsHostFixture.RoomTokenAsync(_host, "operator", "frozen");
        using var frozen = new ClientWebSocket();
        frozen.Options.KeepAliveInterval = TimeSpan.Zero;
        await frozen.ConnectAsync(new UriBuilder(_host.BaseAddress) { Scheme = "ws", Path = "/ws", Query = $"token={Uri.EscapeDataString(token)}&session_id={session}" }.Uri, CancellationToken.None);
        await frozen.SendAsync(Encoding.UTF8.GetBytes("""{"type":"control","action":"acquire"}"""), WebSocketMessageType.Text, true, CancellationToken.None);
        var taken = await robot.Socket.NextAsync(f => (string?)f["type"] == "control" && f["holder"] is not null);
        Assert.StartsWith("frozen", (string?)taken["holder_name"]);
        var frozenAt = DateTimeOffset.UtcNow;

        var released = await robot.Socket.NextAsync(f => (string?)f["type"] == "control", TimeSpan.FromSeconds(45));
        Assert.Null(released["holder"]);
        var left = await robot.Socket.NextOfTypeAsync("participant_left");
        Assert.Equal((string?)taken["holder"], (string?)left["participant_id"]);
        // Bound: 1 s interval + 5 s timeout, plus slack for a loaded machine; the default is 15 + 30 s.
        Assert.InRange(DateTimeOffset.UtcNow - frozenAt, TimeSpan.Zero, TimeSpan.FromSeconds(30));

        // The next operator gets the lock without an admin.
        await using var next = await RoomsHostFixture.JoinAsync(_host, session, "operator", "next");
        await next.Socket.SendAsync(new { type = "control", action = "acquire" });
        var granted = await robot.Socket.NextAsync(f => (string?)f["type"] == "control" && f["holder"] is not null);
        Assert.Equal(next.Id, (string?)granted["holder"]);
    }
}
