using System.Net;
using System.Text.Json.Nodes;
using OrbitGrains.Tests.Accounts;

namespace OrbitGrains.Tests.Agents;

/// <summary>The agent runtime routes (spec: jarvis.md, Agent runtime): `X-Agent-Token` only; validate before writing.</summary>
public sealed class AgentsRuntimeTests(AgentsHost host) : AccountsHostTest<AgentsHost>(host)
{
    private AgentsApi Agents => new(Host.Http);

    [Fact]
    public async Task An_event_is_stored_counted_and_listed_newest_first()
    {
        var user = await Agents.SignUpAsync();
        var (agent, token) = await Agents.CreateAgentAsync(user);
        var id = (string)agent["id"]!;

        var first = await AccountsApi.ExpectJsonAsync(await Agents.PostEventAsync(token, new { type = "action", message = "opened a file", cost = 0.25 }), HttpStatusCode.Created);
        Assert.Null(first["taskId"]);
        Assert.True(first.ContainsKey("taskId"), "taskId is present, as null");
        var stored = first["event"]!.AsObject();
        Assert.Equal(["id", "agentId", "type", "message", "cost", "createdAt"], stored.Select(p => p.Key).ToArray());
        Assert.Equal(id, (string?)stored["agentId"]);
        Assert.Equal(0.25m, (decimal)stored["cost"]!);
        Clock.Advance(TimeSpan.FromSeconds(1));
        var second = await AccountsApi.ExpectJsonAsync(await Agents.PostEventAsync(token, new { type = "tool_call", message = "ran tests", cost = 1.5 }), HttpStatusCode.Created);

        var after = await Agents.GetAgentAsync(user, id);
        Assert.Equal(2, (long)after["eventsCount"]!);
        Assert.Equal(1.75m, (decimal)after["totalSpend"]!);
        Assert.NotNull(after["lastSeen"]);
        Assert.Equal("idle", (string?)after["status"]);

        var events = await Agents.GetArrayAsync($"/v1/agents/{id}/events", bearer: user);
        Assert.Equal([(string)second["event"]!["id"]!, (string)stored["id"]!], events.Select(e => (string)e!["id"]!).ToArray());
        Assert.Equal((string)second["event"]!["id"]!, (string?)Assert.Single(await Agents.GetArrayAsync($"/v1/agents/{id}/events?limit=1", bearer: user))!["id"]);
        var all = await Agents.GetArrayAsync("/v1/events", bearer: user);
        Assert.Equal(2, all.Count);
        Assert.Equal(2, (await Agents.GetArrayAsync($"/v1/events?agentId={id}&limit=500", bearer: user)).Count);
    }

    [Fact]
    public async Task The_workspace_event_list_merges_its_agents_newest_first()
    {
        var user = await Agents.SignUpAsync();
        var (_, a) = await Agents.CreateAgentAsync(user, "a");
        var (_, b) = await Agents.CreateAgentAsync(user, "b");
        var ids = new List<string>();
        foreach (var token in new[] { a, b, a })
        {
            Clock.Advance(TimeSpan.FromSeconds(1));
            ids.Add((string)(await AccountsApi.ExpectJsonAsync(await Agents.PostEventAsync(token, new { type = "action", message = "m" }), HttpStatusCode.Created))["event"]!["id"]!);
        }

        ids.Reverse();
        Assert.Equal(ids, (await Agents.GetArrayAsync("/v1/events", bearer: user)).Select(e => (string)e!["id"]!).ToList());
        Assert.Equal(ids[..2], (await Agents.GetArrayAsync("/v1/events?limit=2", bearer: user)).Select(e => (string)e!["id"]!).ToList());
    }

    [Fact]
    public async Task An_event_that_asks_for_approval_opens_a_task_and_waits()
    {
        var user = await Agents.SignUpAsync();
        var (agent, token) = await Agents.CreateAgentAsync(user);
        var answer = await AccountsApi.ExpectJsonAsync(
            await Agents.PostEventAsync(token, new { type = "approval_request", message = "may I deploy?", requiresApproval = true, proposedAction = "deploy", completedActions = new[] { "built", "tested" } }),
            HttpStatusCode.Created);
        Assert.Matches("^[0-9a-f]{32}$", (string)answer["taskId"]!);
        Assert.Equal("waiting_approval", (string?)(await Agents.GetAgentAsync(user, (string)agent["id"]!))["status"]);
    }

    [Theory]
    [InlineData("{\"message\":\"m\"}", 422, "type must be one of: action, completion, error, tool_call, approval_request.")]
    [InlineData("{\"type\":\"dance\",\"message\":\"m\"}", 422, "type must be one of: action, completion, error, tool_call, approval_request.")]
    [InlineData("{\"type\":\"action\"}", 422, "message must be 1 to 2000 characters.")]
    [InlineData("{\"type\":\"action\",\"message\":\"\"}", 422, "message must be 1 to 2000 characters.")]
    [InlineData("{\"type\":\"action\",\"message\":\"m\",\"cost\":-0.01}", 422, "cost must be a number from 0 to 1000000000.")]
    [InlineData("{\"type\":\"action\",\"message\":\"m\",\"cost\":\"1\"}", 422, "'cost' must be a number.")]
    [InlineData("{\"type\":\"action\",\"message\":\"m\",\"requiresApproval\":\"yes\"}", 422, "'requiresApproval' must be true or false.")]
    [InlineData("{\"type\":\"action\",\"message\":\"m\",\"completedActions\":[null]}", 422, "completedActions must be a list of at most 100 texts of at most 2000 characters.")]
    [InlineData("{\"type\":\"action\",\"message\":\"m\",\"completedActions\":\"done\"}", 422, null)]
    [InlineData("{\"type\":\"action\",\"message\":\"m\",\"cost\":1e400}", 422, null)]
    [InlineData("{\"type\":\"action\",", 400, null)]
    [InlineData("[{\"type\":\"action\"}]", 400, "The request body must be a JSON object.")]
    [InlineData("{\"type\":\"action\",\"type\":\"error\",\"message\":\"m\"}", 400, null)]
    public async Task A_bad_event_is_refused_before_anything_is_written(string body, int status, string? message)
    {
        var user = await Agents.SignUpAsync();
        var (agent, token) = await Agents.CreateAgentAsync(user);
        using var response = await Agents.SendAsync(HttpMethod.Post, "/v1/events", body, agentToken: token);
        var answer = await AccountsApi.ExpectJsonAsync(response, (HttpStatusCode)status);
        if (message is not null)
        {
            Assert.Equal(message, (string?)answer["detail"]);
        }

        await ExpectUntouchedAsync(user, (string)agent["id"]!);
    }

    [Fact]
    public async Task Texts_over_their_limits_and_oversized_bodies_are_refused_before_anything_is_written()
    {
        var user = await Agents.SignUpAsync();
        var (agent, token) = await Agents.CreateAgentAsync(user);
        var id = (string)agent["id"]!;
        await AgentsApi.ExpectDetailAsync(await Agents.PostEventAsync(token, new { type = "action", message = new string('m', 2001), requiresApproval = true }),
            HttpStatusCode.UnprocessableEntity, "message must be 1 to 2000 characters.");
        await AgentsApi.ExpectDetailAsync(await Agents.PostEventAsync(token, new { type = "action", message = "m", cost = 3, requiresApproval = true, proposedAction = new string('p', 2001) }),
            HttpStatusCode.UnprocessableEntity, "proposedAction must be at most 2000 characters.");
        await AgentsApi.ExpectDetailAsync(await Agents.PostEventAsync(token, new { type = "action", message = "m", cost = 3, requiresApproval = true, completedActions = Enumerable.Repeat("a", 101) }),
            HttpStatusCode.UnprocessableEntity, "completedActions must be a list of at most 100 texts of at most 2000 characters.");
        await AgentsApi.ExpectDetailAsync(await Agents.PostEventAsync(token, new { type = "action", message = "m", cost = 3, requiresApproval = true, completedActions = new[] { new string('a', 2001) } }),
            HttpStatusCode.UnprocessableEntity, "completedActions must be a list of at most 100 texts of at most 2000 characters.");
        using (var huge = await Agents.PostEventAsync(token, new { type = "action", message = "m", cost = 3, completedActions = Enumerable.Repeat(new string('a', 1000), 70) }))
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, huge.StatusCode);
        }

        await ExpectUntouchedAsync(user, id);
        await AccountsApi.ExpectJsonAsync(await Agents.PostEventAsync(token, new { type = "action", message = new string('m', 2000), proposedAction = new string('p', 2000) }), HttpStatusCode.Created);
    }

    [Fact]
    public async Task Runtime_routes_take_an_agent_token_only_with_the_specs_messages()
    {
        var user = await Agents.SignUpAsync();
        var (agent, token) = await Agents.CreateAgentAsync(user);
        var @event = "{\"type\":\"action\",\"message\":\"m\"}";

        foreach (var (method, path, body) in new[] { ("POST", "/v1/events", @event), ("GET", "/v1/commands", null), ("POST", $"/v1/commands/{Guid.NewGuid():N}/ack", null) })
        {
            await AgentsApi.ExpectDetailAsync(await Agents.SendAsync(new HttpMethod(method), path, body), HttpStatusCode.Unauthorized, "Missing X-Agent-Token header.");
            await AgentsApi.ExpectDetailAsync(await Agents.SendAsync(new HttpMethod(method), path, body, bearer: user), HttpStatusCode.Unauthorized, "Missing X-Agent-Token header.");
            await AgentsApi.ExpectDetailAsync(await Agents.SendAsync(new HttpMethod(method), path, body, bearer: token), HttpStatusCode.Unauthorized, "Missing X-Agent-Token header.");
            await AgentsApi.ExpectDetailAsync(await Agents.SendAsync(new HttpMethod(method), path, body, agentToken: user), HttpStatusCode.Unauthorized, "Invalid or revoked agent token.");
            await AgentsApi.ExpectDetailAsync(await Agents.SendAsync(new HttpMethod(method), path, body, agentToken: "x"), HttpStatusCode.Unauthorized, "Invalid or revoked agent token.");
            await AgentsApi.ExpectDetailAsync(await Agents.SendAsync(new HttpMethod(method), path, body, agentToken: new string('t', 9000)), HttpStatusCode.Unauthorized, "Invalid or revoked agent token.");
        }

        await ExpectUntouchedAsync(user, (string)agent["id"]!);
    }

    [Fact]
    public async Task An_agent_token_acts_for_its_own_agent_only()
    {
        var user = await Agents.SignUpAsync();
        var (a, tokenA) = await Agents.CreateAgentAsync(user, "a");
        var (b, _) = await Agents.CreateAgentAsync(user, "b");
        await AccountsApi.ExpectJsonAsync(await Agents.PostEventAsync(tokenA, new { type = "action", message = "m", cost = 2, requiresApproval = true }), HttpStatusCode.Created);

        Assert.Equal(1, (long)(await Agents.GetAgentAsync(user, (string)a["id"]!))["eventsCount"]!);
        await ExpectUntouchedAsync(user, (string)b["id"]!);
    }

    [Fact]
    public async Task Commands_start_empty_and_bad_queries_and_unknown_commands_are_refused()
    {
        var user = await Agents.SignUpAsync();
        var (_, token) = await Agents.CreateAgentAsync(user);
        Assert.Empty(await Agents.GetArrayAsync("/v1/commands", agentToken: token));
        Assert.Empty(await Agents.GetArrayAsync("/v1/commands?since=2026-01-01T00:00:00Z", agentToken: token));
        foreach (var since in new[] { "yesterday", "12", "2026-13-01T00:00:00Z" })
        {
            await AgentsApi.ExpectDetailAsync(await Agents.SendAsync(HttpMethod.Get, $"/v1/commands?since={since}", agentToken: token),
                HttpStatusCode.UnprocessableEntity, "since must be an ISO 8601 time, such as 2026-01-31T12:00:00Z.");
        }

        foreach (var id in new[] { Guid.NewGuid().ToString("N"), "not-an-id" })
        {
            await AgentsApi.ExpectDetailAsync(await Agents.SendAsync(HttpMethod.Post, $"/v1/commands/{id}/ack", agentToken: token), HttpStatusCode.NotFound, "Command not found.");
        }
    }

    [Theory]
    [InlineData("0")]
    [InlineData("501")]
    [InlineData("ten")]
    [InlineData("-1")]
    public async Task Event_list_limits_outside_1_to_500_are_refused(string limit)
    {
        var user = await Agents.SignUpAsync();
        var (agent, _) = await Agents.CreateAgentAsync(user);
        await AgentsApi.ExpectDetailAsync(await Agents.SendAsync(HttpMethod.Get, $"/v1/events?limit={limit}", bearer: user),
            HttpStatusCode.UnprocessableEntity, "limit must be an integer from 1 to 500.");
        await AgentsApi.ExpectDetailAsync(await Agents.SendAsync(HttpMethod.Get, $"/v1/agents/{agent["id"]}/events?limit={limit}", bearer: user),
            HttpStatusCode.UnprocessableEntity, "limit must be an integer from 1 to 500.");
    }

    /// <summary>No event, no task, no spend, no status change.</summary>
    private async Task ExpectUntouchedAsync(string user, string id)
    {
        var agent = await Agents.GetAgentAsync(user, id);
        Assert.Equal(0, (long)agent["eventsCount"]!);
        Assert.Equal(0m, (decimal)agent["totalSpend"]!);
        Assert.Equal("idle", (string?)agent["status"]);
        Assert.Empty(await Agents.GetArrayAsync($"/v1/agents/{id}/events", bearer: user));
    }

    [Fact]
    public async Task Concurrent_events_of_one_agent_are_all_stored_once_in_one_order()
    {
        var user = await Agents.SignUpAsync();
        var (agent, token) = await Agents.CreateAgentAsync(user);
        var responses = await Task.WhenAll(Enumerable.Range(0, 60).Select(i => Agents.PostEventAsync(token, new { type = "action", message = $"event {i}", cost = 0.5 })));
        var ids = new List<string>();
        foreach (var response in responses)
        {
            ids.Add((string)(await AccountsApi.ExpectJsonAsync(response, HttpStatusCode.Created))["event"]!["id"]!);
        }

        var stored = await Agents.GetAgentAsync(user, (string)agent["id"]!);
        Assert.Equal(60, (long)stored["eventsCount"]!);
        Assert.Equal(30m, (decimal)stored["totalSpend"]!);
        var listed = await Agents.GetArrayAsync($"/v1/agents/{agent["id"]}/events?limit=500", bearer: user);
        Assert.Equal(ids.Order(), listed.Select(e => (string)e!["id"]!).Order());
        var spend = await AccountsApi.ExpectJsonAsync(await Agents.SendAsync(HttpMethod.Get, "/v1/spend", bearer: user), HttpStatusCode.OK);
        Assert.Equal(30m, (decimal)spend["monthly"]!);
    }
}
