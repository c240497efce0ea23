using System.Net;
using System.Net.WebSockets;
using System.Text;

namespace OrbitGrains.Tests.Relay;

/// <summary>Garbage and floods: the offender gets an error frame or a close code; the server and other users carry on.</summary>
[Collection(RelayCollection.Name)]
public sealed class RelayAbuseTests(RelayHostFixture fixture)
{
    [Theory]
    [InlineData("not json at all")]
    [InlineData("[1,2,3]")]
    [InlineData("\"a string\"")]
    [InlineData("{\"type\":\"orbit.no-such-thing\"}")]
    [InlineData("{\"type\":\"orbit.subscribe\"}")]
    [InlineData("{\"type\":\"orbit.subscribe\",\"threadId\":42.5}")]
    public async Task Unreadable_or_unknown_frames_get_an_error_frame_and_the_socket_stays_open(string frame)
    {
        await using var client = await fixture.ClientAsync(RelayHostFixture.NewUser());
        await client.SendTextAsync(frame);
        var error = await client.NextOfTypeAsync("orbit.error");
        Assert.Equal("invalid_message", (string?)error["error"]!["code"]);

        await client.SendAsync(new { type = "ping" });
        await client.NextOfTypeAsync("pong");
    }

    [Fact]
    public async Task Oversized_ids_are_refused_and_create_no_thread()
    {
        var user = RelayHostFixture.NewUser();
        await using var client = await fixture.ClientAsync(user);
        var huge = new string('t', 10_000);

        await client.SendAsync(new { type = "orbit.subscribe", threadId = huge });
        Assert.Contains("1 to 256 characters", (string?)(await client.NextOfTypeAsync("orbit.error"))["error"]!["message"]);

        // As a routing hint it counts as no thread at all: with no anchor the request is answered anchor_offline.
        await client.SendAsync(new { id = 1, method = "turn/start", @params = new { threadId = huge } });
        Assert.Equal("No devices are connected.", (string?)(await client.NextAsync(f => f["error"] is not null))["error"]!["message"]);

        var stored = await fixture.Host.Grains.GetGrain<OrbitGrains.Relay.IThreadGrain>($"{user}/{huge}").Snapshot(10);
        Assert.Empty(stored.Replay);
        Assert.Null(stored.BoundAnchorId);
    }

    [Fact]
    public async Task Deeply_nested_json_is_refused_without_harm()
    {
        await using var client = await fixture.ClientAsync(RelayHostFixture.NewUser());
        var deep = new string('[', 5000) + new string(']', 5000);
        await client.SendTextAsync("{\"id\":1,\"method\":\"x\",\"params\":" + deep + "}");
        await client.NextOfTypeAsync("orbit.error");
    }

    [Fact]
    public async Task Binary_frames_are_read_as_utf8_json_and_invalid_utf8_is_refused()
    {
        var user = RelayHostFixture.NewUser();
        await using var client = await fixture.ClientAsync(user);
        await client.SendRawAsync(Encoding.UTF8.GetBytes("{\"type\":\"ping\"}"), WebSocketMessageType.Binary);
        await client.NextOfTypeAsync("pong");

        await client.SendRawAsync([0x7B, 0xC3, 0x28, 0xFF, 0x7D], WebSocketMessageType.Binary);
        var error = await client.NextOfTypeAsync("orbit.error");
        Assert.Contains("UTF-8", (string?)error["error"]!["message"]);
    }

    [Fact]
    public async Task An_oversized_frame_closes_that_socket_with_1009_and_others_are_unaffected()
    {
        var user = RelayHostFixture.NewUser();
        await using var bystander = await fixture.ClientAsync(user);
        await using var offender = await fixture.ClientAsync(user);

        var huge = Encoding.UTF8.GetBytes("{\"id\":1,\"method\":\"x\",\"params\":{\"blob\":\"" + new string('a', 10 * 1024 * 1024) + "\"}}");
        try
        {
            await offender.SendRawAsync(huge, WebSocketMessageType.Text);
        }
        catch (WebSocketException)
        {
            // The server may close mid-send; what matters is the close code below.
        }

        await offender.ClosedAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, offender.CloseStatus);

        await bystander.SendAsync(new { type = "ping" });
        await bystander.NextOfTypeAsync("pong");
        Assert.Equal(HttpStatusCode.OK, (await fixture.Host.Http.GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public async Task An_anchor_burst_over_the_rate_is_read_more_slowly_and_nothing_is_lost_while_another_user_is_served()
    {
        var user = RelayHostFixture.NewUser();
        await using var client = await fixture.ClientAsync(user);
        await using var anchor = await fixture.AnchorAsync(user, "bursty", observer: client);
        await using var calm = await fixture.ClientAsync(RelayHostFixture.NewUser());

        // The fixture reads 200 messages/s with a burst of 400: 1,500 quick deltas take seconds to read, not a cut-off.
        const int Deltas = 1500;
        var burst = Task.Run(async () =>
        {
            for (var i = 0; i < Deltas; i++)
            {
                await anchor.SendTextAsync("{\"method\":\"item/agentMessage/delta\",\"params\":{\"delta\":\"" + i + "\"}}");
            }

            await anchor.SendTextAsync("""{"method":"turn/completed","params":{"turn":{"id":"t1","status":"completed"}}}""");
        });

        // Someone else is served while the burst is being paced.
        await calm.SendAsync(new { type = "ping" });
        await calm.NextOfTypeAsync("pong");

        for (var i = 0; i < Deltas; i++)
        {
            var delta = await client.NextAsync(f => (string?)f["method"] == "item/agentMessage/delta", TimeSpan.FromSeconds(60));
            Assert.Equal(i.ToString(), (string?)delta["params"]!["delta"]);
        }

        await client.NextAsync(f => (string?)f["method"] == "turn/completed");
        await burst;
        Assert.Equal(WebSocketState.Open, anchor.State);
        Assert.DoesNotContain(await anchor.DrainAsync(TimeSpan.Zero), f => (string?)f["type"] == "orbit.error");
    }
}
