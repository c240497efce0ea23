using System.Net;
using System.Text.Json.Nodes;
using OrbitGrains.Tests.Accounts;

namespace OrbitGrains.Tests.Agents;

/// <summary>`/v1/agents` (spec: jarvis.md, Dashboard): exact bodies, codes and messages; bad, cross-user and unauthorised input.</summary>
public sealed class AgentsDashboardTests(AgentsHost host) : AccountsHostTest<AgentsHost>(host)
{
    private AgentsApi Agents => new(Host.Http);

    [Fact]
    public async Task A_created_agent_shows_its_token_once_and_masked_afterwards()
    {
        var user = await Agents.SignUpAsync();
        var (agent, token) = await Agents.CreateAgentAsync(user, "  builder  ", "builds things");

        Assert.True(token.Length >= 43, "at least 32 random bytes, URL-safe");
        Assert.Equal("builder", (string?)agent["name"]);
        Assert.Equal("builds things", (string?)agent["description"]);
        Assert.Equal("idle", (string?)agent["status"]);
        Assert.Equal(0m, (decimal)agent["totalSpend"]!);
        Assert.Equal(0, (long)agent["eventsCount"]!);
        Assert.Null(agent["lastSeen"]);
        Assert.Equal(AgentsApi.Masked(token), (string?)agent["tokenHash"]);
        Assert.Equal(
            ["id", "name", "status", "totalSpend", "lastSeen", "tokenHash", "eventsCount", "description", "createdAt"],
            agent.Select(p => p.Key).ToArray());

        using var listed = await Agents.SendAsync(HttpMethod.Get, "/v1/agents", bearer: user);
        var text = await listed.Content.ReadAsStringAsync();
        Assert.DoesNotContain(token, text);
        var list = JsonNode.Parse(text)!.AsArray();
        Assert.Equal((string?)agent["id"], (string?)Assert.Single(list)!["id"]);
        Assert.Equal(AgentsApi.Masked(token), (string?)list[0]!["tokenHash"]);
        var one = await Agents.GetAgentAsync(user, (string)agent["id"]!);
        Assert.Equal(AgentsApi.Masked(token), (string?)one["tokenHash"]);
        Assert.DoesNotContain(token, one.ToJsonString());
    }

    [Fact]
    public async Task The_list_is_the_callers_workspace_newest_first()
    {
        var user = await Agents.SignUpAsync();
        var (first, _) = await Agents.CreateAgentAsync(user, "first");
        Clock.Advance(TimeSpan.FromSeconds(1));
        var (second, _) = await Agents.CreateAgentAsync(user, "second");
        var other = await Agents.SignUpAsync();
        await Agents.CreateAgentAsync(other, "someone else's");

        var list = await Agents.GetArrayAsync("/v1/agents", bearer: user);
        Assert.Equal([(string)second["id"]!, (string)first["id"]!], list.Select(a => (string)a!["id"]!).ToArray());
    }

    [Theory]
    [InlineData("{}", 422, "name must be 1 to 120 characters.")]
    [InlineData("{\"name\":\"   \"}", 422, "name must be 1 to 120 characters.")]
    [InlineData("{\"name\":12}", 422, "'name' must be a string.")]
    [InlineData("{\"name\":\"ok\",\"description\":5}", 422, "'description' must be a string.")]
    [InlineData("{\"name\":", 400, null)]
    [InlineData("[]", 400, "The request body must be a JSON object.")]
    [InlineData("{\"name\":\"a\",\"name\":\"b\"}", 400, null)]
    public async Task A_bad_create_body_is_refused_and_creates_nothing(string body, int status, string? message)
    {
        var user = await Agents.SignUpAsync();
        using var response = await Agents.SendAsync(HttpMethod.Post, "/v1/agents", body, bearer: user);
        var answer = await AccountsApi.ExpectJsonAsync(response, (HttpStatusCode)status);
        if (message is not null)
        {
            Assert.Equal(message, (string?)answer["detail"]);
        }

        Assert.Empty(await Agents.GetArrayAsync("/v1/agents", bearer: user));
    }

    [Fact]
    public async Task Names_and_descriptions_over_their_limits_and_oversized_bodies_are_refused()
    {
        var user = await Agents.SignUpAsync();
        await AgentsApi.ExpectDetailAsync(
            await Agents.SendAsync(HttpMethod.Post, "/v1/agents", $"{{\"name\":\"{new string('n', 121)}\"}}", bearer: user),
            HttpStatusCode.UnprocessableEntity, "name must be 1 to 120 characters.");
        await AgentsApi.ExpectDetailAsync(
            await Agents.SendAsync(HttpMethod.Post, "/v1/agents", $"{{\"name\":\"ok\",\"description\":\"{new string('d', 501)}\"}}", bearer: user),
            HttpStatusCode.UnprocessableEntity, "description must be at most 500 characters.");
        using var huge = await Agents.SendAsync(HttpMethod.Post, "/v1/agents", $"{{\"name\":\"{new string('n', 70_000)}\"}}", bearer: user);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, huge.StatusCode);
        await Agents.CreateAgentAsync(user, new string('n', 120), new string('d', 500));
        Assert.Single(await Agents.GetArrayAsync("/v1/agents", bearer: user));
    }

    [Fact]
    public async Task Status_is_set_to_one_of_the_five_and_nothing_else()
    {
        var user = await Agents.SignUpAsync();
        var (agent, _) = await Agents.CreateAgentAsync(user);
        var id = (string)agent["id"]!;
        foreach (var status in new[] { "running", "paused", "error", "waiting_approval", "idle" })
        {
            var answer = await AccountsApi.ExpectJsonAsync(
                await Agents.SendAsync(HttpMethod.Patch, $"/v1/agents/{id}/status", $"{{\"status\":\"{status}\"}}", bearer: user), HttpStatusCode.OK);
            Assert.Equal(status, (string?)answer["status"]);
        }

        await AgentsApi.ExpectDetailAsync(
            await Agents.SendAsync(HttpMethod.Patch, $"/v1/agents/{id}/status", "{\"status\":\"sleeping\"}", bearer: user),
            HttpStatusCode.UnprocessableEntity, "status must be one of: running, idle, paused, error, waiting_approval.");
        await AgentsApi.ExpectDetailAsync(
            await Agents.SendAsync(HttpMethod.Patch, $"/v1/agents/{id}/status", "{}", bearer: user),
            HttpStatusCode.UnprocessableEntity, "status must be one of: running, idle, paused, error, waiting_approval.");
        Assert.Equal("idle", (string?)(await Agents.GetAgentAsync(user, id))["status"]);
    }

    [Fact]
    public async Task Another_users_agent_is_not_found_for_every_route_and_stays_as_it_was()
    {
        var owner = await Agents.SignUpAsync();
        var (agent, token) = await Agents.CreateAgentAsync(owner);
        var id = (string)agent["id"]!;
        var intruder = await Agents.SignUpAsync();

        await AgentsApi.ExpectDetailAsync(await Agents.SendAsync(HttpMethod.Get, $"/v1/agents/{id}", bearer: intruder), HttpStatusCode.NotFound, "Agent not found.");
        await AgentsApi.ExpectDetailAsync(
            await Agents.SendAsync(HttpMethod.Patch, $"/v1/agents/{id}/status", "{\"status\":\"paused\"}", bearer: intruder), HttpStatusCode.NotFound, "Agent not found.");
        await AgentsApi.ExpectDetailAsync(
            await Agents.SendAsync(HttpMethod.Patch, $"/v1/agents/{id}/status", "{\"status\":\"nonsense\"}", bearer: intruder), HttpStatusCode.NotFound, "Agent not found.");
        await AgentsApi.ExpectDetailAsync(
            await Agents.SendAsync(HttpMethod.Post, $"/v1/agents/{id}/revoke-token", bearer: intruder), HttpStatusCode.NotFound, "Agent not found.");
        await AgentsApi.ExpectDetailAsync(
            await Agents.SendAsync(HttpMethod.Get, $"/v1/agents/{id}/events", bearer: intruder), HttpStatusCode.NotFound, "Agent not found.");
        await AgentsApi.ExpectDetailAsync(
            await Agents.SendAsync(HttpMethod.Get, $"/v1/events?agentId={id}", bearer: intruder), HttpStatusCode.NotFound, "Agent not found.");
        Assert.Empty(await Agents.GetArrayAsync("/v1/agents", bearer: intruder));

        var after = await Agents.GetAgentAsync(owner, id);
        Assert.Equal("idle", (string?)after["status"]);
        Assert.Equal(AgentsApi.Masked(token), (string?)after["tokenHash"]);
        using var stillLive = await Agents.SendAsync(HttpMethod.Get, "/v1/commands", agentToken: token);
        Assert.Equal(HttpStatusCode.OK, stillLive.StatusCode);
    }

    [Theory]
    [InlineData("GET", "/v1/agents/{0}")]
    [InlineData("POST", "/v1/agents/{0}/revoke-token")]
    [InlineData("GET", "/v1/agents/{0}/events")]
    public async Task Unknown_and_misspelt_agent_ids_are_not_found(string method, string route)
    {
        var user = await Agents.SignUpAsync();
        var (agent, _) = await Agents.CreateAgentAsync(user);
        foreach (var id in new[] { Guid.NewGuid().ToString("N"), ((string)agent["id"]!).ToUpperInvariant(), "x-y", "%20", "%E2%80%AE" })
        {
            await AgentsApi.ExpectDetailAsync(
                await Agents.SendAsync(new HttpMethod(method), string.Format(route, id), bearer: user), HttpStatusCode.NotFound, "Agent not found.");
        }
    }

    [Fact]
    public async Task A_revoked_token_is_refused_at_once_and_listed_as_revoked()
    {
        var user = await Agents.SignUpAsync();
        var (agent, token) = await Agents.CreateAgentAsync(user);
        var id = (string)agent["id"]!;
        using (var live = await Agents.SendAsync(HttpMethod.Get, "/v1/commands", agentToken: token))
        {
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        }

        using (var revoked = await Agents.SendAsync(HttpMethod.Post, $"/v1/agents/{id}/revoke-token", bearer: user))
        {
            Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        }

        await AgentsApi.ExpectDetailAsync(await Agents.SendAsync(HttpMethod.Get, "/v1/commands", agentToken: token), HttpStatusCode.Unauthorized, "Invalid or revoked agent token.");
        await AgentsApi.ExpectDetailAsync(await Agents.PostEventAsync(token, new { type = "action", message = "late" }), HttpStatusCode.Unauthorized, "Invalid or revoked agent token.");
        Assert.Equal("revoked", (string?)(await Agents.GetAgentAsync(user, id))["tokenHash"]);
        Assert.Equal(0, (long)(await Agents.GetAgentAsync(user, id))["eventsCount"]!);
        using var again = await Agents.SendAsync(HttpMethod.Post, $"/v1/agents/{id}/revoke-token", bearer: user);
        Assert.Equal(HttpStatusCode.NoContent, again.StatusCode);
    }

    [Fact]
    public async Task A_rotated_token_replaces_the_old_one_at_once()
    {
        var user = await Agents.SignUpAsync();
        var (agent, old) = await Agents.CreateAgentAsync(user);
        var id = (string)agent["id"]!;
        var rotated = await AccountsApi.ExpectJsonAsync(await Agents.SendAsync(HttpMethod.Post, $"/v1/agents/{id}/token", bearer: user), HttpStatusCode.OK);
        var fresh = (string)rotated["agentToken"]!;
        Assert.NotEqual(old, fresh);
        Assert.Equal(AgentsApi.Masked(fresh), (string?)rotated["agent"]!["tokenHash"]);

        await AgentsApi.ExpectDetailAsync(await Agents.SendAsync(HttpMethod.Get, "/v1/commands", agentToken: old), HttpStatusCode.Unauthorized, "Invalid or revoked agent token.");
        await AccountsApi.ExpectJsonAsync(await Agents.PostEventAsync(fresh, new { type = "action", message = "still here" }), HttpStatusCode.Created);
        Assert.Equal(AgentsApi.Masked(fresh), (string?)(await Agents.GetAgentAsync(user, id))["tokenHash"]);

        // A revoked agent gets a token again by rotation; another user's agent is not found.
        (await Agents.SendAsync(HttpMethod.Post, $"/v1/agents/{id}/revoke-token", bearer: user)).Dispose();
        var revived = await AccountsApi.ExpectJsonAsync(await Agents.SendAsync(HttpMethod.Post, $"/v1/agents/{id}/token", bearer: user), HttpStatusCode.OK);
        await AccountsApi.ExpectJsonAsync(await Agents.PostEventAsync((string)revived["agentToken"]!, new { type = "action", message = "back" }), HttpStatusCode.Created);
        var intruder = await Agents.SignUpAsync();
        await AgentsApi.ExpectDetailAsync(await Agents.SendAsync(HttpMethod.Post, $"/v1/agents/{id}/token", bearer: intruder), HttpStatusCode.NotFound, "Agent not found.");
        using var stillLive = await Agents.PostEventAsync((string)revived["agentToken"]!, new { type = "action", message = "mine" });
        Assert.Equal(HttpStatusCode.Created, stillLive.StatusCode);
    }

    [Fact]
    public async Task Dashboard_routes_refuse_callers_without_a_persons_bearer_with_the_specs_messages()
    {
        var user = await Agents.SignUpAsync();
        var (_, agentToken) = await Agents.CreateAgentAsync(user);

        await AgentsApi.ExpectDetailAsync(await Agents.SendAsync(HttpMethod.Get, "/v1/agents"), HttpStatusCode.Unauthorized, "Missing Authorization header.");
        await AgentsApi.ExpectDetailAsync(await Agents.SendAsync(HttpMethod.Get, "/v1/agents", agentToken: agentToken), HttpStatusCode.Unauthorized, "Missing Authorization header.");
        await AgentsApi.ExpectDetailAsync(await Agents.SendAsync(HttpMethod.Get, "/v1/agents", bearer: agentToken), HttpStatusCode.Unauthorized, "Invalid user token.");
        await AgentsApi.ExpectDetailAsync(await Agents.SendAsync(HttpMethod.Post, "/v1/agents", "{\"name\":\"x\"}", bearer: "not-a-token"), HttpStatusCode.Unauthorized, "Invalid user token.");
        using var basic = new HttpRequestMessage(HttpMethod.Get, "/v1/agents");
        basic.Headers.TryAddWithoutValidation("Authorization", "Basic dXNlcjpwYXNz");
        await AgentsApi.ExpectDetailAsync(await Host.Http.SendAsync(basic), HttpStatusCode.Unauthorized, "Authorization header must be Bearer <token>.");
        Assert.Single(await Agents.GetArrayAsync("/v1/agents", bearer: user));
    }

    [Fact]
    public async Task A_web_session_token_reaches_the_same_workspace()
    {
        var session = await Api.RegisterAsync(AccountsApi.NewName("agents"));
        var (agent, _) = await Agents.CreateAgentAsync(session.Token, "from the web");
        var list = await Agents.GetArrayAsync("/v1/agents", bearer: session.Token);
        Assert.Equal((string?)agent["id"], (string?)Assert.Single(list)!["id"]);
    }
}
