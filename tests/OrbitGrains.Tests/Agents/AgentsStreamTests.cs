using System.Net;
using Microsoft.Extensions.DependencyInjection;
using OrbitGrains.Tests.Accounts;
using OrbitGrains.Tests.Pipeline;
using OrbitGrains.WebFrontend.Feeds;

namespace OrbitGrains.Tests.Agents;

/// <summary>`GET /v1/stream`: the person's live feed through the front end's hub, with ids, Last-Event-ID replay and one watch per user.</summary>
public sealed class AgentsStreamTests(AgentsHost host) : AccountsHostTest<AgentsHost>(host)
{
    private AgentsApi Agents => new(Host.Http);

    [Fact]
    public async Task Events_inbox_changes_spend_and_status_reach_the_stream_with_consecutive_ids()
    {
        var user = await Agents.SignUpAsync();
        var (agent, token) = await Agents.CreateAgentAsync(user, "streamer");
        using var client = Agents.ClientOf(user);
        var (stream, connected) = await Agents.OpenStreamAsync(client);
        await using var _ = stream;

        await AccountsApi.ExpectJsonAsync(await Agents.PostEventAsync(token, new { type = "action", message = "built", cost = 1.5 }), HttpStatusCode.Created);
        var first = await stream.ReadUntilAsync(f => f.Type == "spend");
        Assert.Equal(["agent_event", "spend"], first.Select(f => f.Type).ToArray());
        Assert.Equal("built", first[0].Data.GetProperty("data").GetProperty("message").GetString());
        Assert.Equal((string)agent["id"]!, first[0].Data.GetProperty("data").GetProperty("agentId").GetString());
        Assert.Equal(1.5m, first[1].Data.GetProperty("data").GetProperty("monthly").GetDecimal());

        var taskId = await Agents.AskAsync(token, "deploy");
        var asked = await stream.ReadUntilAsync(f => f.Type == "agent_status");
        Assert.Equal(["agent_event", "inbox", "agent_status"], asked.Select(f => f.Type).ToArray());
        Assert.Equal("opened", asked[1].Data.GetProperty("data").GetProperty("action").GetString());
        Assert.Equal(taskId, asked[1].Data.GetProperty("data").GetProperty("item").GetProperty("id").GetString());
        Assert.Equal("waiting_approval", asked[2].Data.GetProperty("data").GetProperty("status").GetString());

        await AccountsApi.ExpectJsonAsync(await Agents.DecideAsync(user, taskId), HttpStatusCode.OK);
        var decided = await stream.ReadUntilAsync(f => f.Type == "agent_status");
        Assert.Equal("decided", decided[0].Data.GetProperty("data").GetProperty("action").GetString());
        Assert.Equal("approved", decided[0].Data.GetProperty("data").GetProperty("item").GetProperty("status").GetString());
        Assert.Equal("running", decided[1].Data.GetProperty("data").GetProperty("status").GetString());

        // Every frame's SSE id is its data's id, one more than the one before, starting after the connected frame's.
        var frames = first.Concat(asked).Concat(decided).ToList();
        Assert.All(frames, f => Assert.Equal(f.Id, f.Data.GetProperty("id").GetInt64()));
        Assert.Equal(Enumerable.Range(1, frames.Count).Select(i => connected.Id + i), frames.Select(f => f.Id));
    }

    [Fact]
    public async Task A_reconnect_with_Last_Event_ID_replays_exactly_what_was_missed_and_an_unknown_epoch_is_told_to_reset()
    {
        var user = await Agents.SignUpAsync();
        var (_, token) = await Agents.CreateAgentAsync(user);
        using var client = Agents.ClientOf(user);
        long seen;
        var (first, _) = await Agents.OpenStreamAsync(client);
        await using (first)
        {
            await AccountsApi.ExpectJsonAsync(await Agents.PostEventAsync(token, new { type = "action", message = "one" }), HttpStatusCode.Created);
            seen = (await first.ReadUntilAsync(f => f.Type == "agent_event"))[^1].Id;
        }

        await AccountsApi.ExpectJsonAsync(await Agents.PostEventAsync(token, new { type = "action", message = "two" }), HttpStatusCode.Created);
        await AccountsApi.ExpectJsonAsync(await Agents.PostEventAsync(token, new { type = "action", message = "three" }), HttpStatusCode.Created);

        var (again, connected) = await Agents.OpenStreamAsync(client, seen);
        await using (again)
        {
            Assert.Equal(seen, connected.Id);
            var replayed = await again.ReadUntilAsync(f => f.Type == "agent_event" && f.Data.GetProperty("data").GetProperty("message").GetString() == "three");
            Assert.Equal(["two", "three"], replayed.Select(f => f.Data.GetProperty("data").GetProperty("message").GetString()!).ToArray());
            Assert.Equal([seen + 1, seen + 2], replayed.Select(f => f.Id).ToArray());
        }

        // An id of an earlier epoch of the feed (its entries were in memory only) cannot be replayed: reset, then live.
        var (stale, staleConnected) = await Agents.OpenStreamAsync(client, 5);
        await using (stale)
        {
            var reset = await stale.NextAsync();
            Assert.Equal("reset", reset.Type);
            Assert.Equal(seen + 2, staleConnected.Id);
            await AccountsApi.ExpectJsonAsync(await Agents.PostEventAsync(token, new { type = "action", message = "four" }), HttpStatusCode.Created);
            var live = (await stale.ReadUntilAsync(f => f.Type == "agent_event"))[^1];
            Assert.Equal(seen + 3, live.Id);
        }
    }

    [Fact]
    public async Task Two_connections_of_one_user_share_one_subscription_and_another_users_entries_never_arrive()
    {
        var hub = Host.Services.GetRequiredService<UserFeedHub>();
        var alice = await Agents.SignUpAsync();
        var bob = await Agents.SignUpAsync();
        var (_, aliceToken) = await Agents.CreateAgentAsync(alice, "alice-agent");
        var (_, bobToken) = await Agents.CreateAgentAsync(bob, "bob-agent");
        using var aliceClient = Agents.ClientOf(alice);
        using var bobClient = Agents.ClientOf(bob);
        var (one, _) = await Agents.OpenStreamAsync(aliceClient);
        var (two, _) = await Agents.OpenStreamAsync(aliceClient);
        var (bobs, _) = await Agents.OpenStreamAsync(bobClient);
        await using (one)
        await using (two)
        await using (bobs)
        {
            // Three connections, two users: two subscriptions (tests of a class run one at a time, so these are ours).
            await Eventually.TrueAsync(() => hub.ActiveSubscribers == 3 && hub.FollowedUsers == 2, "three connections of two users follow two feeds");
            await AccountsApi.ExpectJsonAsync(await Agents.PostEventAsync(aliceToken, new { type = "action", message = "alice's secret" }), HttpStatusCode.Created);
            Assert.Equal("alice's secret", (await one.ReadUntilAsync(f => f.Type == "agent_event"))[^1].Data.GetProperty("data").GetProperty("message").GetString());
            Assert.Equal("alice's secret", (await two.ReadUntilAsync(f => f.Type == "agent_event"))[^1].Data.GetProperty("data").GetProperty("message").GetString());

            // Bob's own event arriving first proves Alice's (sent before it) never came to him.
            await AccountsApi.ExpectJsonAsync(await Agents.PostEventAsync(bobToken, new { type = "action", message = "bob's" }), HttpStatusCode.Created);
            var bobFrames = await bobs.ReadUntilAsync(f => f.Type == "agent_event");
            Assert.Equal("bob's", Assert.Single(bobFrames).Data.GetProperty("data").GetProperty("message").GetString());
        }

        await Eventually.TrueAsync(() => hub.ActiveSubscribers == 0 && hub.FollowedUsers == 0, "the hub stops following users whose streams all closed");
    }

    [Fact]
    public async Task The_stream_refuses_a_missing_or_wrong_credential_and_an_agent_token()
    {
        using var anonymous = await SseClient.RequestAsync(Host.Http, "/v1/stream", withBearer: false);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);

        using var wrong = Agents.ClientOf("not-a-token");
        using var refused = await SseClient.RequestAsync(wrong, "/v1/stream");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);

        var user = await Agents.SignUpAsync();
        var (_, token) = await Agents.CreateAgentAsync(user);
        using var asAgent = await Agents.SendAsync(HttpMethod.Get, "/v1/stream", agentToken: token);
        Assert.Equal(HttpStatusCode.Unauthorized, asAgent.StatusCode);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("-4")]
    [InlineData("99999999999999999999999")]
    public async Task A_malformed_Last_Event_ID_starts_live_like_none(string given)
    {
        var user = await Agents.SignUpAsync();
        var (_, token) = await Agents.CreateAgentAsync(user);
        await AccountsApi.ExpectJsonAsync(await Agents.PostEventAsync(token, new { type = "action", message = "before" }), HttpStatusCode.Created);
        using var client = Agents.ClientOf(user);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/stream");
        request.Headers.TryAddWithoutValidation("Last-Event-ID", given);
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.StartsWith("id: ", await reader.ReadLineAsync());
        Assert.Contains("\"type\":\"connected\"", await reader.ReadLineAsync());
        Assert.Equal("", await reader.ReadLineAsync());

        // Nothing from before is replayed: the next frame is the next event.
        await AccountsApi.ExpectJsonAsync(await Agents.PostEventAsync(token, new { type = "action", message = "after" }), HttpStatusCode.Created);
        Assert.StartsWith("id: ", await reader.ReadLineAsync());
        Assert.Contains("\"message\":\"after\"", await reader.ReadLineAsync());
    }
}
