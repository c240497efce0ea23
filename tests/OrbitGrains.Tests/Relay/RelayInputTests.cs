using System.Net.WebSockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using OrbitGrains.Hosting;
using OrbitGrains.Relay;
using Orleans.Storage;

namespace OrbitGrains.Tests.Relay;

/// <summary>
/// Frames the relay cannot read unambiguously get an Orbit error frame and the socket stays open; text that is not
/// UTF-8 closes it with 1007; a bad message never takes good ones down with it; thread ids may contain anything.
/// </summary>
[Collection(RelayCollection.Name)]
public sealed class RelayInputTests(RelayHostFixture fixture)
{
    [Theory]
    [InlineData("""{"type":"orbit.subscribe","threadId":"a","threadId":"b"}""", "'threadId' twice")]
    [InlineData("""{"type":"orbit.subscribe","threadId":"x\ud800"}""", "not valid Unicode")]
    [InlineData("""{"id":1,"method":"turn/start","params":{"threadId":"t","threadId":"u"}}""", "'threadId' twice")]
    public async Task An_unreadable_frame_gets_an_error_frame_before_sign_in_of_a_thread_and_the_socket_stays_open(string frame, string says)
    {
        await using var client = await fixture.ClientAsync(RelayHostFixture.NewUser());
        await client.SendTextAsync(frame);
        var error = await client.NextOfTypeAsync("orbit.error");
        Assert.Equal("invalid_message", (string?)error["error"]!["code"]);
        Assert.Contains(says, (string?)error["error"]!["message"]);

        await client.SendAsync(new { type = "ping" });
        await client.NextOfTypeAsync("pong");
        Assert.Equal(WebSocketState.Open, client.State);
    }

    [Fact]
    public async Task A_text_frame_that_is_not_utf8_closes_the_socket_with_1007()
    {
        await using var client = await fixture.ClientAsync(RelayHostFixture.NewUser());
        await client.SendRawAsync([0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xC3, 0x28, 0x22, 0x7D], WebSocketMessageType.Text);
        // Frames already on their way when the server fails the connection must not turn its close into a reset.
        for (var i = 0; i < 200; i++)
        {
            try
            {
                await client.SendTextAsync($$"""{"type":"ping","n":{{i}},"pad":"{{new string('x', 2000)}}"}""");
            }
            catch (WebSocketException)
            {
                break;
            }
        }

        await client.ClosedAsync();
        Assert.Equal(WebSocketCloseStatus.InvalidPayloadData, client.CloseStatus);
    }

    [Fact]
    public async Task A_ping_with_extra_fields_is_answered_with_pong()
    {
        await using var client = await fixture.ClientAsync(RelayHostFixture.NewUser());
        await client.SendAsync(new { type = "ping", ts = DateTimeOffset.UtcNow.ToString("O"), seq = 12345, note = "keep-alive from the web client" });
        Assert.Equal("pong", (string?)(await client.NextAsync())["type"]);
    }

    [Fact]
    public async Task A_bad_anchor_message_among_good_ones_loses_none_of_the_good_ones()
    {
        var user = RelayHostFixture.NewUser();
        await using var anchor = await fixture.AnchorAsync(user, "a");
        await anchor.SendAsync(new { type = "orbit.subscribe", threadId = "batch" });
        await anchor.NextOfTypeAsync("orbit.subscribed");

        await anchor.SendAsync(new { method = "turn/started", @params = new { threadId = "batch", turn = new { id = "turn-1" } } });
        await anchor.SendTextAsync("""{"method":"turn/completed","params":{"threadId":"batch","turn":{"id":"turn-1"}},"params":{"threadId":"batch"}}""");
        Assert.Contains("twice", (string?)(await anchor.NextOfTypeAsync("orbit.error"))["error"]!["message"]);
        for (var i = 0; i < 3; i++)
        {
            await anchor.SendAsync(new { method = "item/agentMessage/delta", @params = new { threadId = "batch", delta = $"part {i}" } });
        }

        await anchor.SendAsync(new { method = "turn/completed", @params = new { threadId = "batch", turn = new { id = "turn-1" } } });

        await using var client = await fixture.ClientAsync(user);
        await Eventually.TrueAsync(async () =>
        {
            await client.SendAsync(new { type = "orbit.subscribe", threadId = "batch" });
            var state = await client.NextOfTypeAsync("orbit.relay-state");
            return (int)state["replayed"]! == 5 && (string?)state["turn"]!["status"] == "Completed";
        }, "the five good messages are kept and the turn completed");
    }

    [Fact]
    public async Task Messages_the_thread_grain_cannot_read_stand_alone_in_a_recorded_batch()
    {
        var thread = fixture.Host.Grains.GetGrain<IThreadGrain>($"{RelayHostFixture.NewUser()}/standalone");
        await thread.Record(
        [
            """{"method":"turn/started","params":{"threadId":"standalone","turn":{"id":"t1"}}}""",
            """{"method":"turn/failed","params":{"threadId":"standalone","turn":{"id":"t1"}},"params":{}}""",
            """{"method":"turn/completed","params":{"threadId":"standalone","turn":{"id":"t1"}}}""",
        ], "a");

        var snapshot = await thread.Snapshot(10);
        Assert.Equal(3, snapshot.Replay.Length);
        Assert.Equal("Completed", snapshot.Turn!.Status);
    }

    [Fact]
    public async Task A_thread_id_with_braces_is_bound_and_stored()
    {
        var user = RelayHostFixture.NewUser();
        await using var client = await fixture.ClientAsync(user);
        await using var anchor = await fixture.AnchorAsync(user, "a", observer: client);
        await client.SendAsync(new { id = 1, method = "turn/start", @params = new { threadId = "t{0}" } });
        await anchor.NextAsync(f => (string?)f["method"] == "turn/start");

        var storage = fixture.Host.Services.GetRequiredKeyedService<IGrainStorage>(OrbitStorageNames.GrainState);
        var stored = new GrainState<OrbitGrains.Relay.ThreadState>(new OrbitGrains.Relay.ThreadState());
        await Eventually.TrueAsync(async () =>
        {
            await storage.ReadStateAsync("thread", GrainId.Create("thread", $"{user}/t{{0}}"), stored);
            return stored.State!.BoundAnchorId == "a";
        }, "the binding of thread t{0} is stored");
    }
}
