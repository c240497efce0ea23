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

        // 15 + 15 messages on one token whose burst is 20: each socket alone is well within its own limit.
        for (var i = 0; i < 15 && first.State == WebSocketState.Open && second.State == WebSocketState.Open; i++)
        {
            await first.SendAsync(new { type = "telemetry", data = new { i } });
            await second.SendAsync(new { type = "telemetry", data = new { i } });
        }

        await Task.WhenAny(first.ClosedAsync(), second.ClosedAsync());
        var cut = first.State != WebSocketState.Open ? first : second;
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, cut.CloseStatus);

        await other.Socket.SendAsync(new { type = "telemetry", data = new { from = "another token" } });
        var survivor = cut == first ? second : first;
        Assert.Equal("another token", (string?)(await survivor.NextAsync(f => (string?)f["type"] == "telemetry" && f["data"]!["from"] is not null))["data"]!["from"]);
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
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
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
