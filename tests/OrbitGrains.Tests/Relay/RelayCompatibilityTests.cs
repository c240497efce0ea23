using System.Text.Json.Nodes;

namespace OrbitGrains.Tests.Relay;

/// <summary>
/// What the real Anchor and web client (and the original relay's own suite) expect, with the exact frames they send:
/// request ids per client, threads bound by the anchor's answer, turn statuses as sent.
/// </summary>
[Collection(RelayCollection.Name)]
public sealed class RelayCompatibilityTests(RelayHostFixture fixture)
{
    [Fact]
    public async Task Two_tabs_using_one_request_id_each_get_their_own_answer_and_never_the_other()
    {
        var user = RelayHostFixture.NewUser();
        await using var tabA = await fixture.ClientAsync(user);
        await using var tabB = await fixture.ClientAsync(user);
        await using var anchor = await fixture.AnchorAsync(user, "desk", observer: tabA);

        await tabA.SendTextAsync("""{"id":1,"method":"thread/list","params":{"from":"A"}}""");
        var fromA = await anchor.NextAsync(f => (string?)f["method"] == "thread/list");
        await tabB.SendTextAsync("""{"id":1,"method":"thread/list","params":{"from":"B"}}""");
        var fromB = await anchor.NextAsync(f => (string?)f["method"] == "thread/list");
        Assert.Equal("A", (string?)fromA["params"]!["from"]);
        Assert.Equal("B", (string?)fromB["params"]!["from"]);
        Assert.NotEqual(fromA["id"]!.ToJsonString(), fromB["id"]!.ToJsonString());

        // The anchor answers each under the id it saw, A first: B's first answer must be its own.
        await anchor.SendTextAsync(new JsonObject { ["id"] = fromA["id"]!.DeepClone(), ["result"] = "for A" }.ToJsonString());
        await anchor.SendTextAsync(new JsonObject { ["id"] = fromB["id"]!.DeepClone(), ["result"] = "for B" }.ToJsonString());

        var answerB = await tabB.NextAsync(f => f.ContainsKey("result"));
        Assert.Equal("for B", (string?)answerB["result"]);
        Assert.Equal("1", answerB["id"]!.ToJsonString());
        var answerA = await tabA.NextAsync(f => f.ContainsKey("result"));
        Assert.Equal("for A", (string?)answerA["result"]);
        Assert.Equal("1", answerA["id"]!.ToJsonString());

        // Nothing more for either tab: a ping answered after the answers proves no second answer is on its way.
        foreach (var tab in new[] { tabA, tabB })
        {
            await tab.SendAsync(new { type = "ping" });
            var next = await tab.NextAsync(f => f.ContainsKey("result") || (string?)f["type"] == "pong");
            Assert.Equal("pong", (string?)next["type"]);
        }
    }

    [Fact]
    public async Task Two_anchors_asking_one_client_with_one_id_each_get_their_own_answer()
    {
        var user = RelayHostFixture.NewUser();
        await using var client = await fixture.ClientAsync(user);
        await using var first = await fixture.AnchorAsync(user, "first", observer: client);
        await using var second = await fixture.AnchorAsync(user, "second", observer: client);

        await first.SendTextAsync("""{"id":5,"method":"item/commandExecution/requestApproval","params":{"from":"first"}}""");
        var askedByFirst = await client.NextAsync(f => f["method"] is not null && (string?)f["params"]!["from"] == "first");
        await second.SendTextAsync("""{"id":5,"method":"item/commandExecution/requestApproval","params":{"from":"second"}}""");
        var askedBySecond = await client.NextAsync(f => f["method"] is not null && (string?)f["params"]!["from"] == "second");
        Assert.NotEqual(askedByFirst["id"]!.ToJsonString(), askedBySecond["id"]!.ToJsonString());

        await client.SendTextAsync(new JsonObject { ["id"] = askedBySecond["id"]!.DeepClone(), ["result"] = new JsonObject { ["decision"] = "decline" } }.ToJsonString());
        await client.SendTextAsync(new JsonObject { ["id"] = askedByFirst["id"]!.DeepClone(), ["result"] = new JsonObject { ["decision"] = "accept" } }.ToJsonString());

        var toSecond = await second.NextAsync(f => f.ContainsKey("result"));
        Assert.Equal("5", toSecond["id"]!.ToJsonString());
        Assert.Equal("decline", (string?)toSecond["result"]!["decision"]);
        var toFirst = await first.NextAsync(f => f.ContainsKey("result"));
        Assert.Equal("5", toFirst["id"]!.ToJsonString());
        Assert.Equal("accept", (string?)toFirst["result"]!["decision"]);
    }

    [Fact]
    public async Task The_anchor_whose_answer_carries_a_thread_is_bound_to_it()
    {
        var user = RelayHostFixture.NewUser();
        await using var client = await fixture.ClientAsync(user);
        await using var target = await fixture.AnchorAsync(user, "target", observer: client);
        await using var other = await fixture.AnchorAsync(user, "other", observer: client);

        await client.SendTextAsync("""{"id":900,"method":"thread/start","params":{"anchorId":"target"}}""");
        await target.NextAsync(f => (string?)f["method"] == "thread/start");
        await target.SendTextAsync("""{"id":900,"result":{"thread":{"id":"thread-target"}}}""");
        Assert.Equal("thread-target", (string?)(await client.NextAsync(f => f.ContainsKey("result")))["result"]!["thread"]!["id"]);

        // Without an anchor id the turn goes where the thread lives, although two anchors are online.
        await client.SendTextAsync("""{"id":901,"method":"turn/start","params":{"threadId":"thread-target","input":[]}}""");
        var turn = await target.NextAsync(f => (string?)f["method"] == "turn/start");
        Assert.Equal("901", turn["id"]!.ToJsonString());

        await client.SendTextAsync("""{"id":902,"method":"turn/start","params":{"threadId":"thread-target","anchorId":"other"}}""");
        var refused = await client.NextAsync(f => f.ContainsKey("error"));
        Assert.Equal("902", refused["id"]!.ToJsonString());
        Assert.Equal("thread_anchor_mismatch", (string?)refused["error"]!["data"]!["code"]);
    }

    [Fact]
    public async Task Relay_state_replays_the_turn_status_as_the_anchor_sent_it()
    {
        var user = RelayHostFixture.NewUser();
        await using var client = await fixture.ClientAsync(user);
        await using var anchor = await fixture.AnchorAsync(user, "a", observer: client);
        await anchor.SendAsync(new { type = "orbit.subscribe", threadId = "t-status" });
        await anchor.NextOfTypeAsync("orbit.subscribed");
        await anchor.SendTextAsync("""{"method":"turn/started","params":{"threadId":"t-status","turn":{"id":"turn-1","status":"inProgress"}}}""");
        await anchor.SendTextAsync("""{"method":"turn/completed","params":{"threadId":"t-status","turn":{"id":"turn-1","status":"completed"}}}""");

        // A fresh subscriber sees the stored state once the completion has been relayed.
        await using var late = await fixture.ClientAsync(user);
        await client.NextAsync(f => (string?)f["method"] == "turn/completed");
        await late.SendAsync(new { type = "orbit.subscribe", threadId = "t-status" });
        var state = await late.NextOfTypeAsync("orbit.relay-state");
        Assert.Equal("turn-1", (string?)state["turn"]!["id"]);
        Assert.Equal("completed", (string?)state["turn"]!["status"]);

        // A completed turn (whatever its spelling) is not interrupted when the anchor leaves.
        await anchor.DisposeAsync();
        await late.NextOfTypeAsync("orbit.anchor-disconnected");
        await late.SendAsync(new { type = "orbit.subscribe", threadId = "t-status" });
        var after = await late.NextOfTypeAsync("orbit.relay-state");
        Assert.Equal("completed", (string?)after["turn"]!["status"]);
    }
}
