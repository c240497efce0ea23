using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using OrbitGrains.Tests.Accounts;
using OrbitGrains.Tests.Pipeline;

namespace OrbitGrains.Tests.Agents;

/// <summary>
/// `GET /v1/stream` lasts as long as its person's access (docs/agents.md, Live stream): disabling the account ends its
/// open streams, by bearer or by ticket, and a logout ends the streams opened with that sign-in's ticket and refuses
/// the tickets it issued; other people's streams go on.
/// </summary>
public sealed class AgentsStreamAccessTests(AgentsHost host) : AccountsHostTest<AgentsHost>(host)
{
    private AgentsApi Agents => new(Host.Http);

    private AdminApi Admin => new(Host.Http, AccountsHost.AdminToken);

    [Fact]
    public async Task Disabling_the_account_ends_its_open_streams_and_others_go_on()
    {
        var (alice, aliceId) = await SignUpAsync();
        var bob = await Agents.SignUpAsync();
        var (_, bobAgent) = await Agents.CreateAgentAsync(bob, "bob's");
        var (byBearer, _) = await Agents.OpenStreamAsync(Agents.ClientOf(alice));
        await using var _1 = byBearer;
        await using var byTicket = await OpenByTicketAsync(alice);
        var (bystander, _) = await Agents.OpenStreamAsync(Agents.ClientOf(bob));
        await using var _2 = bystander;

        await Admin.DisableAsync(aliceId);

        await byBearer.EndAsync();
        await byTicket.EndAsync();
        await AccountsApi.ExpectJsonAsync(await Agents.PostEventAsync(bobAgent, new { type = "action", message = "still live" }), HttpStatusCode.Created);
        var frame = (await bystander.ReadUntilAsync(f => f.Type == "agent_event"))[^1];
        Assert.Equal("still live", frame.Data.GetProperty("data").GetProperty("message").GetString());
    }

    [Fact]
    public async Task Logging_out_ends_the_stream_opened_with_that_sign_ins_ticket_and_refuses_its_unused_tickets()
    {
        var session = await Api.RegisterAsync(AccountsApi.NewName("stream"));
        await using var stream = await OpenByTicketAsync(session.Token);
        var unused = await TicketUrlAsync(session.Token);

        await Api.LogoutAsync(session.Token);

        await stream.EndAsync();
        using var browser = new HttpClient { BaseAddress = Host.BaseAddress };
        using var refused = await SseClient.RequestAsync(browser, unused, withBearer: false);
        await AgentsApi.ExpectDetailAsync(refused, HttpStatusCode.Unauthorized, "Stream ticket's account is no longer signed in.");
    }

    [Fact]
    public async Task A_ticket_asked_for_with_a_user_token_is_refused_once_that_token_is_replaced_or_revoked()
    {
        var (token, _) = await SignUpAsync();
        var unused = await TicketUrlAsync(token);
        var rotated = await AccountsApi.ExpectJsonAsync(await Api.SendAsync(HttpMethod.Post, "/v1/user-token/rotate", null, token), HttpStatusCode.OK);
        var current = (string)rotated["userToken"]!;
        var beforeRevoke = await TicketUrlAsync(current);
        Assert.Equal(HttpStatusCode.NoContent, (await Api.SendAsync(HttpMethod.Post, "/v1/user-token/revoke", null, current)).StatusCode);

        using var browser = new HttpClient { BaseAddress = Host.BaseAddress };
        foreach (var url in new[] { unused, beforeRevoke })
        {
            using var refused = await SseClient.RequestAsync(browser, url, withBearer: false);
            // The status first: a stream that opened would be read forever.
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            await AgentsApi.ExpectDetailAsync(refused, HttpStatusCode.Unauthorized, "Stream ticket's account is no longer signed in.");
        }
    }

    private async Task<(string Token, string UserId)> SignUpAsync()
    {
        var body = new { email = $"stream-{Guid.NewGuid():N}"[..20] + "@example.com", password = "agents password" };
        var signedUp = await AccountsApi.ExpectJsonAsync(await Api.PostJsonAsync("/v1/auth/signup", body), HttpStatusCode.Created);
        return ((string)signedUp["userToken"]!, (string)signedUp["userId"]!);
    }

    private async Task<string> TicketUrlAsync(string bearer)
    {
        var issued = await AccountsApi.ExpectJsonAsync(await Agents.SendAsync(HttpMethod.Post, "/v1/stream/ticket", bearer: bearer), HttpStatusCode.OK);
        return (string)issued["streamUrl"]!;
    }

    private async Task<SseClient> OpenByTicketAsync(string bearer)
    {
        var url = await TicketUrlAsync(bearer);
        var browser = new HttpClient { BaseAddress = Host.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        var stream = await SseClient.OpenPathAsync(browser, url, withBearer: false);
        Assert.Equal("connected", (await stream.NextAsync()).Type);
        return stream;
    }
}
