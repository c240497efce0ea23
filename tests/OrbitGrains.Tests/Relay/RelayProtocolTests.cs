using System.Net;
using System.Net.WebSockets;
using System.Text.Json.Nodes;

namespace OrbitGrains.Tests.Relay;

/// <summary>The Orbit protocol's rules and messages over real WebSockets against a real host.</summary>
[Collection(RelayCollection.Name)]
public sealed class RelayProtocolTests(RelayHostFixture fixture)
{
    private static bool IsResponseTo(JsonObject frame, JsonNode id) => frame["id"]?.ToJsonString() == id.ToJsonString();

    [Theory]
    [InlineData("/ws/client", "client-of-u1", HttpStatusCode.UpgradeRequired, "Upgrade required")]
    [InlineData("/ws/anchor", "anchor-of-u1", HttpStatusCode.UpgradeRequired, "Upgrade required")]
    [InlineData("/ws/client", "anchor-of-u1", HttpStatusCode.Unauthorized, "Unauthorised")]
    [InlineData("/ws/anchor", "client-of-u1", HttpStatusCode.Unauthorized, "Unauthorised")]
    [InlineData("/ws/client", "", HttpStatusCode.Unauthorized, "Unauthorised")]
    public async Task Preflight_without_upgrade_says_426_for_a_valid_token_and_401_otherwise(string path, string token, HttpStatusCode status, string body)
    {
        var response = await fixture.Host.Http.GetAsync($"{path}?token={token}");
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(body, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_invalid_token_is_refused_at_the_handshake()
    {
        var error = await Assert.ThrowsAsync<WebSocketException>(() => OrbitSocket.ConnectAsync(fixture.Host.BaseAddress, "/ws/client?token=forged"));
        Assert.Contains("401", error.Message);
    }

    [Fact]
    public async Task Hello_on_connect_and_ping_is_answered_with_pong()
    {
        await using var client = await fixture.ClientAsync(RelayHostFixture.NewUser());
        await client.SendAsync(new { type = "ping" });
        Assert.Equal("pong", (string?)(await client.NextAsync())["type"]);
    }

    [Fact]
    public async Task Anchor_presence_reaches_clients_and_the_anchor_list()
    {
        var user = RelayHostFixture.NewUser();
        await using var client = await fixture.ClientAsync(user);
        var anchor = await fixture.AnchorAsync(user, "laptop", observer: client);

        await client.SendAsync(new { type = "orbit.list-anchors" });
        var list = await client.NextOfTypeAsync("orbit.anchors");
        var entry = Assert.Single(list["anchors"]!.AsArray())!;
        Assert.Equal("laptop", (string?)entry["id"]);
        Assert.Equal("laptop.local", (string?)entry["hostname"]);
        Assert.Equal("linux", (string?)entry["platform"]);
        Assert.NotNull((string?)entry["connectedAt"]);

        await anchor.DisposeAsync();
        var gone = await client.NextOfTypeAsync("orbit.anchor-disconnected");
        Assert.Equal("laptop", (string?)gone["anchorId"]);
    }

    [Fact]
    public async Task Requests_reach_the_only_anchor_and_the_answer_returns_to_the_asking_client_only()
    {
        var user = RelayHostFixture.NewUser();
        await using var asker = await fixture.ClientAsync(user);
        await using var bystander = await fixture.ClientAsync(user);
        await using var anchor = await fixture.AnchorAsync(user, "only", observer: asker);

        await asker.SendAsync(new { id = 7, method = "thread/list", @params = new { } });
        var request = await anchor.NextAsync(f => (string?)f["method"] == "thread/list");
        Assert.Equal(7, (int)request["id"]!);

        await anchor.SendAsync(new { id = 7, result = new { threads = Array.Empty<object>() } });
        var answer = await asker.NextAsync(f => IsResponseTo(f, JsonValue.Create(7)));
        Assert.NotNull(answer["result"]);
        Assert.DoesNotContain(await bystander.DrainAsync(TimeSpan.FromMilliseconds(300)), f => f["result"] is not null);
    }

    [Fact]
    public async Task Request_ids_are_typed_so_numeric_1_and_string_1_are_different_requests()
    {
        var user = RelayHostFixture.NewUser();
        await using var numeric = await fixture.ClientAsync(user);
        await using var textual = await fixture.ClientAsync(user);
        await using var anchor = await fixture.AnchorAsync(user, "typed", observer: numeric);

        await numeric.SendAsync(new { id = 1, method = "a" });
        await textual.SendAsync(new { id = "1", method = "b" });
        // Two sockets: the anchor may see the requests in either order.
        var methods = new HashSet<string?>();
        while (methods.Count < 2)
        {
            methods.Add((string?)(await anchor.NextAsync(f => f["method"] is not null))["method"]);
        }

        Assert.Equal(["a", "b"], methods.Order());

        await anchor.SendTextAsync("""{"id":"1","result":"for textual"}""");
        await anchor.SendTextAsync("""{"id":1,"result":"for numeric"}""");
        Assert.Equal("for numeric", (string?)(await numeric.NextAsync(f => f["result"] is not null))["result"]);
        Assert.Equal("for textual", (string?)(await textual.NextAsync(f => f["result"] is not null))["result"]);
    }

    [Fact]
    public async Task With_no_anchor_a_request_gets_anchor_offline_and_a_notification_gets_nothing()
    {
        await using var client = await fixture.ClientAsync(RelayHostFixture.NewUser());
        await client.SendAsync(new { id = "r1", method = "turn/start", @params = new { } });
        var error = await client.NextAsync(f => f["error"] is not null);
        Assert.Equal("r1", (string?)error["id"]);
        Assert.Equal(-32001, (int)error["error"]!["code"]!);
        Assert.Equal("No devices are connected.", (string?)error["error"]!["message"]);
        Assert.Equal("anchor_offline", (string?)error["error"]!["data"]!["code"]);

        await client.SendAsync(new { method = "note", @params = new { } });
        Assert.Empty(await client.DrainAsync(TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task Two_anchors_need_a_choice_and_a_named_anchor_must_be_connected()
    {
        var user = RelayHostFixture.NewUser();
        await using var client = await fixture.ClientAsync(user);
        await using var a = await fixture.AnchorAsync(user, "a", observer: client);
        await using var b = await fixture.AnchorAsync(user, "b", observer: client);

        await client.SendAsync(new { id = 1, method = "x" });
        var required = await client.NextAsync(f => f["error"] is not null);
        Assert.Equal("anchor_required", (string?)required["error"]!["data"]!["code"]);
        Assert.Equal("Select a device before starting a request.", (string?)required["error"]!["message"]);

        await client.SendAsync(new { id = 2, method = "x", @params = new { anchorId = "b" } });
        Assert.Equal(2, (int)(await b.NextAsync(f => (string?)f["method"] == "x"))["id"]!);

        await client.SendAsync(new { id = 3, method = "x", @params = new { anchorId = "nope" } });
        var missing = await client.NextAsync(f => f["error"] is not null);
        Assert.Equal("anchor_not_found", (string?)missing["error"]!["data"]!["code"]);
    }

    [Fact]
    public async Task A_thread_routes_to_its_bound_anchor_and_refuses_another()
    {
        var user = RelayHostFixture.NewUser();
        await using var client = await fixture.ClientAsync(user);
        await using var a = await fixture.AnchorAsync(user, "a", observer: client);
        await using var b = await fixture.AnchorAsync(user, "b", observer: client);

        await a.SendAsync(new { type = "orbit.subscribe", threadId = "t1" });
        await a.NextOfTypeAsync("orbit.subscribed");

        await client.SendAsync(new { id = 1, method = "turn/start", @params = new { threadId = "t1" } });
        Assert.Equal(1, (int)(await a.NextAsync(f => (string?)f["method"] == "turn/start"))["id"]!);

        await client.SendAsync(new { id = 2, method = "turn/start", @params = new { threadId = "t1", anchorId = "b" } });
        var mismatch = await client.NextAsync(f => f["error"] is not null);
        Assert.Equal("thread_anchor_mismatch", (string?)mismatch["error"]!["data"]!["code"]);
    }

    [Fact]
    public async Task Thread_id_is_found_in_every_place_the_spec_lists()
    {
        var user = RelayHostFixture.NewUser();
        await using var client = await fixture.ClientAsync(user);
        await using var a = await fixture.AnchorAsync(user, "a", observer: client);
        await using var b = await fixture.AnchorAsync(user, "b", observer: client);
        await a.SendAsync(new { type = "orbit.subscribe", threadId = "deep" });
        await a.NextOfTypeAsync("orbit.subscribed");

        object[] shapes =
        [
            new { id = 1, method = "m", @params = new { thread_id = "deep" } },
            new { id = 2, method = "m", @params = new { thread = new { id = "deep" } } },
            new { id = 3, method = "m", @params = new { item = new { threadId = " deep " } } },
            new { id = 4, method = "m", @params = new { item = new { thread_id = "deep" } } },
        ];
        foreach (var shape in shapes)
        {
            await client.SendAsync(shape);
        }

        for (var i = 1; i <= 4; i++)
        {
            Assert.Equal(i, (int)(await a.NextAsync(f => (string?)f["method"] == "m"))["id"]!);
        }
    }

    [Fact]
    public async Task Subscribing_replays_the_thread_in_order_and_tells_its_anchor()
    {
        var user = RelayHostFixture.NewUser();
        await using var early = await fixture.ClientAsync(user);
        await using var anchor = await fixture.AnchorAsync(user, "a", observer: early);
        await anchor.SendAsync(new { type = "orbit.subscribe", threadId = "replay" });
        await anchor.NextOfTypeAsync("orbit.subscribed");

        await anchor.SendAsync(new { method = "turn/started", @params = new { threadId = "replay", turn = new { id = "turn-1" } } });
        for (var i = 0; i < 3; i++)
        {
            await anchor.SendAsync(new { method = "item/agentMessage/delta", @params = new { threadId = "replay", delta = $"part {i}" } });
        }

        // The early client (no thread subscribers yet) gets every notification.
        await early.NextAsync(f => (string?)f["params"]?["delta"] == "part 2");

        await using var late = await fixture.ClientAsync(user);
        await late.SendAsync(new { type = "orbit.subscribe", threadId = "replay" });
        Assert.Equal("replay", (string?)(await late.NextAsync())["threadId"]);
        var state = await late.NextAsync();
        Assert.Equal("orbit.relay-state", (string?)state["type"]);
        Assert.Equal("a", (string?)state["boundAnchorId"]);
        Assert.Equal("turn-1", (string?)state["turn"]!["id"]);
        Assert.Equal("InProgress", (string?)state["turn"]!["status"]);
        Assert.Equal(4, (int)state["replayed"]!);
        Assert.Equal("turn/started", (string?)(await late.NextAsync())["method"]);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal($"part {i}", (string?)(await late.NextAsync())["params"]!["delta"]);
        }

        Assert.Equal("replay", (string?)(await anchor.NextOfTypeAsync("orbit.client-subscribed"))["threadId"]);
    }

    [Fact]
    public async Task Notifications_go_to_the_thread_subscribers_only_when_there_are_any()
    {
        var user = RelayHostFixture.NewUser();
        await using var subscriber = await fixture.ClientAsync(user);
        await using var other = await fixture.ClientAsync(user);
        await using var anchor = await fixture.AnchorAsync(user, "a", observer: subscriber);
        await subscriber.SendAsync(new { type = "orbit.subscribe", threadId = "t" });
        await subscriber.NextOfTypeAsync("orbit.relay-state");

        await anchor.SendAsync(new { method = "item/started", @params = new { threadId = "t", n = 1 } });
        await anchor.SendAsync(new { method = "account/updated", @params = new { n = 2 } });

        Assert.Equal(1, (int)(await subscriber.NextAsync(f => (string?)f["method"] == "item/started"))["params"]!["n"]!);
        Assert.Equal(2, (int)(await other.NextAsync(f => (string?)f["method"] == "account/updated"))["params"]!["n"]!);
        Assert.DoesNotContain(await other.DrainAsync(TimeSpan.FromMilliseconds(300)), f => (string?)f["method"] == "item/started");
    }

    [Fact]
    public async Task A_server_request_from_the_anchor_is_answered_back_to_that_anchor()
    {
        var user = RelayHostFixture.NewUser();
        await using var client = await fixture.ClientAsync(user);
        await using var anchor = await fixture.AnchorAsync(user, "a", observer: client);

        await anchor.SendAsync(new { id = 99, method = "approval/request", @params = new { threadId = "t" } });
        await client.NextAsync(f => (string?)f["method"] == "approval/request");
        await client.SendAsync(new { id = 99, result = new { approved = true } });
        var answer = await anchor.NextAsync(f => f["result"] is not null);
        Assert.True((bool)answer["result"]!["approved"]!);
    }

    [Fact]
    public async Task A_newer_socket_with_the_same_client_id_replaces_the_older()
    {
        var user = RelayHostFixture.NewUser();
        var older = await fixture.ClientAsync(user, clientId: "tab-1");
        await using var newer = await fixture.ClientAsync(user, clientId: "tab-1");

        await older.ClosedAsync();
        Assert.Equal(WebSocketCloseStatus.NormalClosure, older.CloseStatus);
        Assert.Equal("Replaced by newer connection", older.CloseDescription);
        await older.DisposeAsync();
    }

    [Fact]
    public async Task A_newer_anchor_socket_with_the_same_anchor_id_replaces_the_older()
    {
        var user = RelayHostFixture.NewUser();
        await using var client = await fixture.ClientAsync(user);
        var older = await fixture.AnchorAsync(user, "same", observer: client);
        await using var newer = await fixture.AnchorAsync(user, "same", observer: client);

        await older.ClosedAsync();
        Assert.Equal("Replaced by newer connection", older.CloseDescription);
        await older.DisposeAsync();

        await client.SendAsync(new { id = 5, method = "ping/anchor" });
        Assert.Equal(5, (int)(await newer.NextAsync(f => (string?)f["method"] == "ping/anchor"))["id"]!);
        await client.SendAsync(new { type = "orbit.list-anchors" });
        Assert.Single((await client.NextOfTypeAsync("orbit.anchors"))["anchors"]!.AsArray());
    }

    [Fact]
    public async Task A_turn_in_progress_is_interrupted_when_its_anchor_drops()
    {
        var user = RelayHostFixture.NewUser();
        await using var client = await fixture.ClientAsync(user);
        var anchor = await fixture.AnchorAsync(user, "a", observer: client);
        await anchor.SendAsync(new { type = "orbit.subscribe", threadId = "t" });
        await anchor.NextOfTypeAsync("orbit.subscribed");
        await client.SendAsync(new { type = "orbit.subscribe", threadId = "t" });
        await client.NextOfTypeAsync("orbit.relay-state");
        await anchor.SendAsync(new { method = "turn/started", @params = new { threadId = "t", turn = new { id = "x1" } } });
        await client.NextAsync(f => (string?)f["method"] == "turn/started");

        await anchor.DisposeAsync();

        var interrupted = await client.NextAsync(f => (string?)f["method"] == "turn/interrupted");
        Assert.Equal("t", (string?)interrupted["params"]!["threadId"]);
        Assert.Equal("x1", (string?)interrupted["params"]!["turn"]!["id"]);
        Assert.Equal("Interrupted", (string?)interrupted["params"]!["turn"]!["status"]);
    }

    [Fact]
    public async Task Completed_items_become_artifacts_listed_newest_first_with_paging()
    {
        var user = RelayHostFixture.NewUser();
        await using var client = await fixture.ClientAsync(user);
        await using var anchor = await fixture.AnchorAsync(user, "a", observer: client);
        for (var i = 0; i < 3; i++)
        {
            await anchor.SendAsync(new
            {
                method = "item/completed",
                @params = new { threadId = "art", turnId = "turn-1", item = new { id = $"item-{i}", type = "commandExecution", command = $"ls {i}" } },
            });
        }

        await anchor.SendAsync(new { method = "item/completed", @params = new { threadId = "art", item = new { id = "msg", type = "agentMessage" } } });
        await client.NextAsync(f => (string?)f["params"]?["item"]?["id"] == "msg");

        await client.SendAsync(new { type = "orbit.artifacts.list", requestId = "q1", threadId = "art", limit = 2 });
        var page = await client.NextOfTypeAsync("orbit.artifacts");
        Assert.Equal("q1", (string?)page["requestId"]);
        var artifacts = page["artifacts"]!.AsArray();
        Assert.Equal(["ls 2", "ls 1"], artifacts.Select(a => (string?)a!["summary"]));
        Assert.Equal("command", (string?)artifacts[0]!["artifactType"]);
        Assert.Equal("commandExecution", (string?)artifacts[0]!["itemType"]);
        Assert.Equal("turn-1", (string?)artifacts[0]!["turnId"]);
        Assert.Equal("a", (string?)artifacts[0]!["anchorId"]);
        Assert.Equal("item-2", (string?)artifacts[0]!["payload"]!["id"]);

        await client.SendAsync(new { type = "orbit.artifacts.list", requestId = "q2", threadId = "art", limit = 2, beforeId = (long)page["nextBeforeId"]! });
        var rest = await client.NextOfTypeAsync("orbit.artifacts");
        Assert.Equal(["ls 0"], rest["artifacts"]!.AsArray().Select(a => (string?)a!["summary"]));
        Assert.Null(rest["nextBeforeId"]);
    }

    [Fact]
    public async Task Multi_dispatch_gathers_every_anchor_answer_and_reports_unknown_anchors()
    {
        var user = RelayHostFixture.NewUser();
        await using var client = await fixture.ClientAsync(user);
        await using var a = await fixture.AnchorAsync(user, "a", observer: client);
        await using var b = await fixture.AnchorAsync(user, "b", observer: client);

        await client.SendAsync(new { type = "orbit.multi-dispatch", requestId = "md1", anchorIds = new[] { "a", "b", "ghost" }, request = new { id = "q", method = "status" } });
        foreach (var anchor in new[] { a, b })
        {
            var request = await anchor.NextAsync(f => (string?)f["method"] == "status");
            var id = (string)request["id"]!;
            Assert.Matches("^q:[ab]:[0-9a-f]{8}$", id);
            await anchor.SendAsync(new { id, result = new { ok = true } });
        }

        var result = await client.NextOfTypeAsync("orbit.multi-dispatch.result");
        Assert.Equal("md1", (string?)result["requestId"]);
        var results = result["results"]!.AsArray().ToDictionary(r => (string)r!["anchorId"]!, r => r!);
        Assert.True((bool)results["a"]["ok"]!);
        Assert.True((bool)results["b"]["ok"]!);
        Assert.False((bool)results["ghost"]["ok"]!);
        Assert.Equal("anchor_not_found", (string?)results["ghost"]["error"]!["code"]);
        Assert.NotNull((string?)result["completedAt"]);

        await client.SendAsync(new { type = "orbit.multi-dispatch", requestId = "md2", request = new { @params = new { } } });
        var invalid = await client.NextOfTypeAsync("orbit.multi-dispatch.result");
        Assert.Empty(invalid["results"]!.AsArray());
        Assert.Equal("invalid_request", (string?)invalid["error"]!["code"]);
    }
}
