using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;

namespace OrbitGrains.Tests.Relay;

/// <summary>
/// With a short keep-alive: a peer that falls silent without closing (a frozen process, a dead network) is gone within
/// the stated bound. Kept apart from big messages, whose transfer on a loaded machine may outlast a short Pong timeout.
/// </summary>
public sealed class RelayKeepAliveTests : IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    private RunningHost _host = null!;

    public async Task InitializeAsync()
    {
        var configuration = RunningHost.IsolatedConfiguration(_data.Path, "relay-keepalive");
        // A silent peer is gone within 1 + 5 s here (15 + 30 s by default).
        configuration["WEBSOCKET_KEEPALIVE_SEC"] = "1";
        configuration["WEBSOCKET_KEEPALIVE_TIMEOUT_SEC"] = "5";
        _host = await RunningHost.StartFrontEndAsync(configuration, configure: TestRelayAuthenticator.Use);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task A_frozen_anchor_is_gone_within_the_keep_alive_bound_and_its_pending_request_gets_anchor_offline()
    {
        var user = RelayHostFixture.NewUser();
        await using var client = await ClientAsync(user);

        // An anchor that says hello and then never reads again: it answers no ping, as a frozen process or a dead
        // network would, and it never closes.
        using var frozen = new ClientWebSocket();
        frozen.Options.KeepAliveInterval = TimeSpan.Zero;
        await frozen.ConnectAsync(new UriBuilder(_host.BaseAddress) { Scheme = "ws", Path = "/ws/anchor", Query = $"token={TestRelayAuthenticator.AnchorToken(user)}" }.Uri, CancellationToken.None);
        await frozen.SendAsync(Encoding.UTF8.GetBytes("""{"type":"anchor.hello","hostname":"frozen.local","platform":"linux","anchorId":"frozen"}"""),
            WebSocketMessageType.Text, true, CancellationToken.None);
        await client.NextAsync(f => (string?)f["type"] == "orbit.anchor-connected");

        await client.SendTextAsync("""{"id":"ask-1","method":"thread/list","params":{}}""");
        var started = DateTimeOffset.UtcNow;

        var refused = await client.NextAsync(f => f.ContainsKey("error"), TimeSpan.FromSeconds(45));
        Assert.Equal("\"ask-1\"", refused["id"]!.ToJsonString());
        Assert.Equal("anchor_offline", (string?)refused["error"]!["data"]!["code"]);
        var gone = await client.NextOfTypeAsync("orbit.anchor-disconnected");
        Assert.Equal("frozen", (string?)gone["anchorId"]);
        // Bound: interval + timeout = 6 s, plus scheduling slack on a loaded machine.
        Assert.InRange(DateTimeOffset.UtcNow - started, TimeSpan.Zero, TimeSpan.FromSeconds(30));

        await client.SendAsync(new { type = "orbit.list-anchors" });
        Assert.Empty((await client.NextOfTypeAsync("orbit.anchors"))["anchors"]!.AsArray());
    }

    private async Task<OrbitSocket> ClientAsync(string user)
    {
        var socket = await OrbitSocket.ConnectAsync(_host.BaseAddress, $"/ws/client?token={TestRelayAuthenticator.ClientToken(user)}&clientId={Guid.NewGuid():N}");
        await socket.NextOfTypeAsync("orbit.hello");
        return socket;
    }
}
