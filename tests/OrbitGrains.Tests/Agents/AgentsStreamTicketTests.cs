using System.Net;
using System.Text.Json.Nodes;
using OrbitGrains.Tests.Accounts;
using OrbitGrains.Tests.Pipeline;

namespace OrbitGrains.Tests.Agents;

/// <summary>
/// `GET /v1/stream` from a browser: EventSource sends no Authorization, so the page asks `POST /v1/stream/ticket` (with its
/// bearer) for a ticket and opens the stream with `?ticket=`. A ticket works once, within 60 s, for its own person's
/// stream only, and nowhere else.
/// </summary>
public sealed class AgentsStreamTicketTests(AgentsHost host) : AccountsHostTest<AgentsHost>(host)
{
    private AgentsApi Agents => new(Host.Http);

    [Fact]
    public async Task A_ticket_opens_its_own_persons_stream_without_a_bearer_and_only_once()
    {
        var user = await Agents.SignUpAsync();
        var (agent, token) = await Agents.CreateAgentAsync(user, "ticketed");
        var issued = await TicketAsync(user);
        Assert.Equal(60, (int)issued["expiresIn"]!);
        var url = (string)issued["streamUrl"]!;
        Assert.Equal($"/v1/stream?ticket={Uri.EscapeDataString((string)issued["ticket"]!)}", url);

        using var browser = Anonymous();
        await using (var stream = await SseClient.OpenPathAsync(browser, url, withBearer: false))
        {
            Assert.Equal("connected", (await stream.NextAsync()).Type);
            await AccountsApi.ExpectJsonAsync(await Agents.PostEventAsync(token, new { type = "action", message = "seen by the browser" }), HttpStatusCode.Created);
            var frame = (await stream.ReadUntilAsync(f => f.Type == "agent_event"))[^1];
            Assert.Equal((string)agent["id"]!, frame.Data.GetProperty("data").GetProperty("agentId").GetString());
        }

        await ExpectRefusedAsync(browser, url, "Stream ticket is unknown or already used.");
    }

    [Fact]
    public async Task Another_persons_ticket_opens_that_persons_stream_only()
    {
        var alice = await Agents.SignUpAsync();
        var bob = await Agents.SignUpAsync();
        var (_, aliceAgent) = await Agents.CreateAgentAsync(alice, "alice's");
        var (_, bobAgent) = await Agents.CreateAgentAsync(bob, "bob's");
        var bobsTicket = (string)(await TicketAsync(bob))["streamUrl"]!;

        // Bob's ticket, even with Alice's bearer beside it: the ticket decides, and it is Bob's stream.
        using var aliceClient = Agents.ClientOf(alice);
        await using var stream = await SseClient.OpenPathAsync(aliceClient, bobsTicket);
        Assert.Equal("connected", (await stream.NextAsync()).Type);
        await AccountsApi.ExpectJsonAsync(await Agents.PostEventAsync(aliceAgent, new { type = "action", message = "alice" }), HttpStatusCode.Created);
        await AccountsApi.ExpectJsonAsync(await Agents.PostEventAsync(bobAgent, new { type = "action", message = "bob" }), HttpStatusCode.Created);

        // Bob's event arrives after Alice's was stored: had Alice's reached this stream, it would come first.
        var first = (await stream.ReadUntilAsync(f => f.Type == "agent_event"))[^1];
        Assert.Equal("bob", first.Data.GetProperty("data").GetProperty("message").GetString());
    }

    [Fact]
    public async Task An_expired_a_malformed_a_doubled_or_a_pipeline_ticket_is_refused_with_its_reason()
    {
        var user = await Agents.SignUpAsync();
        using var browser = Anonymous();
        await ExpectRefusedAsync(browser, "/v1/stream?ticket=not-a-ticket", "Invalid stream ticket.");
        await ExpectRefusedAsync(browser, "/v1/stream?ticket=" + new string('x', 5000), "Invalid stream ticket.");
        await ExpectRefusedAsync(browser, "/v1/stream?ticket=pst_" + new string('a', 43), "Invalid stream ticket.");
        await ExpectRefusedAsync(browser, "/v1/stream?ticket=ust_" + new string('a', 43), "Stream ticket is unknown or already used.");

        var one = (string)(await TicketAsync(user))["ticket"]!;
        var two = (string)(await TicketAsync(user))["ticket"]!;
        await ExpectRefusedAsync(browser, $"/v1/stream?ticket={one}&ticket={two}", "Invalid stream ticket.");

        var late = (string)(await TicketAsync(user))["streamUrl"]!;
        Clock.Advance(TimeSpan.FromSeconds(61));
        await ExpectRefusedAsync(browser, late, "Stream ticket has expired.");

        // A ticket of this stream shown to the Pipeline's, which takes its own tickets only.
        var ours = (string)(await TicketAsync(user))["ticket"]!;
        using var pipeline = await SseClient.RequestAsync(browser, $"/api/v1/events/stream?ticket={ours}", withBearer: false);
        Assert.Equal(HttpStatusCode.Unauthorized, pipeline.StatusCode);
    }

    [Fact]
    public async Task A_ticket_is_no_bearer_anywhere_and_only_a_person_gets_one()
    {
        var user = await Agents.SignUpAsync();
        var (_, agentToken) = await Agents.CreateAgentAsync(user);
        var ticket = (string)(await TicketAsync(user))["ticket"]!;

        await AgentsApi.ExpectDetailAsync(await Agents.SendAsync(HttpMethod.Get, "/v1/agents", bearer: ticket), HttpStatusCode.Unauthorized, "Invalid user token.");
        using var withQuery = await Anonymous().GetAsync($"/v1/agents?ticket={ticket}");
        Assert.Equal(HttpStatusCode.Unauthorized, withQuery.StatusCode);
        using var asBearerOnStream = await SseClient.RequestAsync(Agents.ClientOf(ticket), "/v1/stream");
        Assert.Equal(HttpStatusCode.Unauthorized, asBearerOnStream.StatusCode);

        // The ticket route wants a person's bearer: none, a bad one or an agent token get no ticket.
        using var none = await Anonymous().PostAsync("/v1/stream/ticket", null);
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        using var bad = await Agents.SendAsync(HttpMethod.Post, "/v1/stream/ticket", bearer: "not-a-token");
        Assert.Equal(HttpStatusCode.Unauthorized, bad.StatusCode);
        using var agent = await Agents.SendAsync(HttpMethod.Post, "/v1/stream/ticket", agentToken: agentToken);
        Assert.Equal(HttpStatusCode.Unauthorized, agent.StatusCode);

        // All the refusals above spent nothing: the ticket still opens the stream once.
        await using var stream = await SseClient.OpenPathAsync(Anonymous(), $"/v1/stream?ticket={ticket}", withBearer: false);
        Assert.Equal("connected", (await stream.NextAsync()).Type);
    }

    private async Task<JsonObject> TicketAsync(string userToken) =>
        await AccountsApi.ExpectJsonAsync(await Agents.SendAsync(HttpMethod.Post, "/v1/stream/ticket", bearer: userToken), HttpStatusCode.OK);

    private HttpClient Anonymous() => new() { BaseAddress = Host.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };

    private static async Task ExpectRefusedAsync(HttpClient browser, string url, string reason)
    {
        using var response = await SseClient.RequestAsync(browser, url, withBearer: false);
        await AgentsApi.ExpectDetailAsync(response, HttpStatusCode.Unauthorized, reason);
    }
}
