using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;

namespace OrbitGrains.Tests.Relay;

[Collection(RelayCollection.Name)]
public sealed class RelayBackpressureTests(RelayHostFixture fixture)
{
    [Fact]
    public async Task A_client_that_stops_reading_is_cut_off_and_a_reading_client_gets_everything()
    {
        var user = RelayHostFixture.NewUser();
        await using var reader = await fixture.ClientAsync(user);
        await using var anchor = await fixture.AnchorAsync(user, "a", observer: reader);

        // A raw socket that connects and never reads again.
        using var stuck = new ClientWebSocket();
        await stuck.ConnectAsync(new UriBuilder(fixture.Host.BaseAddress) { Scheme = "ws", Path = "/ws/client", Query = $"token={TestRelayAuthenticator.ClientToken(user)}" }.Uri, CancellationToken.None);
        var before = await ClientsAsync();

        // 150 frames of 200 KB, in step with the reading client: far beyond what loopback buffers and the
        // 1 MiB queue bound can hold for the stuck socket, while the reader never falls behind.
        var blob = new string('z', 200 * 1024);
        for (var i = 0; i < 150; i++)
        {
            await anchor.SendAsync(new { method = "item/agentMessage/delta", @params = new { seq = i, delta = blob } });
            Assert.Equal(i, (int)(await reader.NextAsync(f => (string?)f["method"] == "item/agentMessage/delta", TimeSpan.FromSeconds(30)))["params"]!["seq"]!);
        }

        await Eventually.TrueAsync(async () => await ClientsAsync() == before - 1, "the stuck client is disconnected by the server");
    }

    [Fact]
    public async Task Push_messages_are_ignored()
    {
        await using var client = await fixture.ClientAsync(RelayHostFixture.NewUser());
        await client.SendAsync(new { type = "orbit.push-subscribe", subscription = new { endpoint = "https://example.invalid" } });
        await client.SendAsync(new { type = "ping" });
        Assert.Equal("pong", (string?)(await client.NextAsync())["type"]);
    }

    private async Task<long> ClientsAsync() =>
        (await fixture.Host.Http.GetFromJsonAsync<JsonElement>("/health")).GetProperty("clients").GetInt64();
}
