using System.Net;
using System.Net.WebSockets;

namespace OrbitGrains.Tests.Rooms;

/// <summary>Limits shared across sockets: socket opens per address, messages per token.</summary>
public sealed class RoomRateLimitTests : IAsyncLifetime
{
    private readonly TempDirectory _data = new("rooms-limits");
    private RunningHost _host = null!;

    public async Task InitializeAsync()
    {
        var configuration = RoomsHostFixture.Configuration(_data.Path, "rooms-limits");
        configuration["ROOM_CONNECTS_PER_SECOND_PER_ADDRESS"] = "1000";
        configuration["ROOM_MESSAGES_PER_SECOND_PER_TOKEN"] = "10";
        configuration["ROOM_MESSAGES_PER_SECOND"] = "1000";
        _host = await RunningHost.StartFrontEndAsync(configuration);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task Sockets_sharing_a_token_share_its_message_allowance_and_other_tokens_are_unaffected()
    {
        var session = await RoomsHostFixture.SessionAsync(_host);
        var shared = await RoomsHostFixture.RoomTokenAsync(_host, "robot");
        await using var first = await OrbitSocket.ConnectAsync(_host.BaseAddress, $"/ws?token={shared}&session_id={session}");
        await using var second = await OrbitSocket.ConnectAsync(_host.BaseAddress, $"/ws?token={shared}&session_id={session}");
        await using var other = await RoomsHostFixture.JoinAsync(_host, session, "operator");
        await first.NextOfTypeAsync("joined");
        await second.NextOfTypeAsync("joined");

        // The token's burst is 20. The second socket spends 10 of it; the first, far below its own per-socket
        // limit, is then cut off after about the other 10 (plus what refilled meanwhile, at 10/s).
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < 10; i++)
        {
            await second.SendAsync(new { type = "telemetry", data = new { i } });
        }

        for (var i = 0; i < 10; i++)
        {
            await other.Socket.NextAsync(f => (string?)f["type"] == "telemetry" && (int)f["data"]!["i"]! == i);
        }

        var sent = 0;
        try
        {
            while (first.State == WebSocketState.Open && sent < 40)
            {
                await first.SendAsync(new { type = "telemetry", data = new { n = sent++ } });
            }
        }
        catch (WebSocketException)
        {
            // The server closed it while we were still sending: that is the point.
        }

        Assert.Equal("rate_limited", (string?)(await first.NextOfTypeAsync("error"))["code"]);
        await first.ClosedAsync();
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, first.CloseStatus);
        var delivered = (await other.Socket.DrainAsync(TimeSpan.FromMilliseconds(500))).Count(f => (string?)f["type"] == "telemetry" && f["data"]!["n"] is not null);
        Assert.InRange(delivered, 5, 12 + (int)Math.Ceiling(clock.Elapsed.TotalSeconds * 10));

        // Another token is unaffected, and the socket that stayed within the shared allowance still hears the room.
        await other.Socket.SendAsync(new { type = "telemetry", data = new { from = "another token" } });
        Assert.Equal("another token", (string?)(await second.NextAsync(f => (string?)f["type"] == "telemetry" && f["data"]!["from"] is not null))["data"]!["from"]);
    }
}

public sealed class RoomConnectLimitTests : IAsyncLifetime
{
    private readonly TempDirectory _data = new("rooms-connects");
    private RunningHost _host = null!;

    public async Task InitializeAsync()
    {
        var configuration = RoomsHostFixture.Configuration(_data.Path, "rooms-connects");
        configuration["ROOM_CONNECTS_PER_SECOND_PER_ADDRESS"] = "1";
        _host = await RunningHost.StartFrontEndAsync(configuration);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task An_address_opening_sockets_too_fast_gets_429_before_any_upgrade()
    {
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 12).Select(async _ =>
        {
            using var socket = new ClientWebSocket();
            socket.Options.CollectHttpResponseDetails = true;
            try
            {
                await socket.ConnectAsync(new Uri(new UriBuilder(_host.BaseAddress) { Scheme = "ws", Path = "/ws", Query = "token=bad" }.Uri.ToString()), CancellationToken.None);
                return socket.HttpStatusCode;
            }
            catch (WebSocketException)
            {
                return socket.HttpStatusCode;
            }
        }));

        // A burst of two is allowed (plus whatever refilled meanwhile); the rest are refused without being accepted.
        Assert.Contains(HttpStatusCode.SwitchingProtocols, outcomes);
        Assert.True(outcomes.Count(s => s == HttpStatusCode.TooManyRequests) >= 4, string.Join(",", outcomes));
    }
}
