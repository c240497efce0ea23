using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;

namespace OrbitGrains.Tests.Relay;

/// <summary>The relay at its default limits: 16 MiB messages, as the original accepted and the real clients need.</summary>
public sealed class RelayLimitsTests : IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    private RunningHost _host = null!;

    public async Task InitializeAsync()
    {
        var configuration = RunningHost.IsolatedConfiguration(_data.Path, "relay-limits");
        _host = await RunningHost.StartFrontEndAsync(configuration, configure: TestRelayAuthenticator.Use);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task A_15_MB_inline_image_reaches_the_anchor_and_a_1_5_MB_image_read_comes_back()
    {
        var user = RelayHostFixture.NewUser();
        await using var client = await ClientAsync(user);
        await using var anchor = await AnchorAsync(user, "desk", client);

        var image = "data:image/png;base64," + Convert.ToBase64String(Enumerable.Range(0, 11_000_000).Select(i => (byte)i).ToArray());
        Assert.True(Encoding.UTF8.GetByteCount(image) > 14_000_000);
        await client.SendTextAsync(new JsonObject
        {
            ["id"] = 1,
            ["method"] = "turn/start",
            ["params"] = new JsonObject { ["threadId"] = "t-image", ["input"] = new JsonArray(new JsonObject { ["type"] = "image", ["url"] = image }) },
        }.ToJsonString());
        var turn = await anchor.NextAsync(f => (string?)f["method"] == "turn/start", TimeSpan.FromSeconds(60));
        Assert.Equal(image, (string?)turn["params"]!["input"]![0]!["url"]);

        var read = Convert.ToBase64String(new byte[1_100_000]);
        await anchor.SendTextAsync(new JsonObject { ["id"] = 1, ["result"] = new JsonObject { ["content"] = read } }.ToJsonString());
        var answer = await client.NextAsync(f => f.ContainsKey("result"), TimeSpan.FromSeconds(60));
        Assert.Equal(read, (string?)answer["result"]!["content"]);
    }

    [Fact]
    public async Task A_message_over_16_MiB_closes_the_socket_with_1009_and_others_carry_on()
    {
        var user = RelayHostFixture.NewUser();
        await using var client = await ClientAsync(user);
        await using var other = await ClientAsync(user);

        await client.SendTextAsync("{\"method\":\"x\",\"params\":\"" + new string('a', 16 * 1024 * 1024) + "\"}");
        await client.ClosedAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, client.CloseStatus);

        await other.SendAsync(new { type = "ping" });
        await other.NextOfTypeAsync("pong");
    }

    private async Task<OrbitSocket> ClientAsync(string user)
    {
        var socket = await OrbitSocket.ConnectAsync(_host.BaseAddress, $"/ws/client?token={TestRelayAuthenticator.ClientToken(user)}&clientId={Guid.NewGuid():N}");
        await socket.NextOfTypeAsync("orbit.hello");
        return socket;
    }

    private async Task<OrbitSocket> AnchorAsync(string user, string anchorId, OrbitSocket observer)
    {
        var socket = await OrbitSocket.ConnectAsync(_host.BaseAddress, $"/ws/anchor?token={TestRelayAuthenticator.AnchorToken(user)}");
        await socket.NextOfTypeAsync("orbit.hello");
        await socket.SendAsync(new { type = "anchor.hello", hostname = $"{anchorId}.local", platform = "linux", anchorId });
        await observer.NextAsync(f => (string?)f["type"] == "orbit.anchor-connected" && (string?)f["anchor"]!["id"] == anchorId);
        return socket;
    }
}
