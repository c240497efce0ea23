using Microsoft.Extensions.DependencyInjection;
using OrbitGrains.WebFrontend.Relay;

namespace OrbitGrains.Tests.Relay;

public sealed class RelayDurabilityTests
{
    [Fact]
    public async Task Thread_binding_replay_and_artifacts_survive_a_restart_of_the_embedded_host()
    {
        using var data = new TempDirectory();
        var user = RelayHostFixture.NewUser();

        await using (var first = await StartAsync(data))
        {
            await using var client = await ConnectAsync(first, $"/ws/client?token={TestRelayAuthenticator.ClientToken(user)}");
            await using var anchor = await ConnectAsync(first, $"/ws/anchor?token={TestRelayAuthenticator.AnchorToken(user)}");
            await anchor.SendAsync(new { type = "anchor.hello", anchorId = "desk" });
            await client.NextOfTypeAsync("orbit.anchor-connected");
            await anchor.SendAsync(new { type = "orbit.subscribe", threadId = "kept" });
            await anchor.NextOfTypeAsync("orbit.subscribed");
            await anchor.SendAsync(new { method = "item/completed", @params = new { threadId = "kept", item = new { id = "c1", type = "commandExecution", command = "make" } } });
            await anchor.SendAsync(new { method = "item/agentMessage/delta", @params = new { threadId = "kept", delta = "last words" } });
            await client.NextAsync(f => (string?)f["params"]?["delta"] == "last words");
        }

        await using var second = await StartAsync(data);
        await using var again = await ConnectAsync(second, $"/ws/client?token={TestRelayAuthenticator.ClientToken(user)}");
        await again.SendAsync(new { type = "orbit.subscribe", threadId = "kept" });
        var state = await again.NextOfTypeAsync("orbit.relay-state");
        Assert.Equal(2, (int)state["replayed"]!);
        Assert.Equal("item/completed", (string?)(await again.NextAsync())["method"]);
        Assert.Equal("last words", (string?)(await again.NextAsync())["params"]!["delta"]);

        await again.SendAsync(new { type = "orbit.artifacts.list", threadId = "kept" });
        Assert.Equal("make", (string?)(await again.NextOfTypeAsync("orbit.artifacts"))["artifacts"]![0]!["summary"]);
    }

    private static Task<RunningHost> StartAsync(TempDirectory data) =>
        RunningHost.StartFrontEndAsync(RunningHost.IsolatedConfiguration(data.Path, "relay-durable"),
            configure: TestRelayAuthenticator.Use);

    private static async Task<OrbitSocket> ConnectAsync(RunningHost host, string path)
    {
        var socket = await OrbitSocket.ConnectAsync(host.BaseAddress, path);
        await socket.NextOfTypeAsync("orbit.hello");
        return socket;
    }
}
