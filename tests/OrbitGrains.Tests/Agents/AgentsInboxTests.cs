using System.Net;
using System.Text.Json.Nodes;
using OrbitGrains.Tests.Accounts;

namespace OrbitGrains.Tests.Agents;

/// <summary>`/v1/inbox` and the decision (spec: jarvis.md): atomic, once only, scoped to the caller's workspace.</summary>
public sealed class AgentsInboxTests(AgentsHost host) : AccountsHostTest<AgentsHost>(host)
{
    private AgentsApi Agents => new(Host.Http);

    [Fact]
    public async Task A_pending_task_with_an_expiry_lists_when_it_expires()
    {
        var user = await Agents.SignUpAsync();
        var (_, token) = await Agents.CreateAgentAsync(user, "timer");
        var before = DateTimeOffset.UtcNow;
        await Agents.AskAsync(token, "wait", 300);
        var pending = Assert.Single(await Agents.GetArrayAsync("/v1/inbox?status=pending", bearer: user))!.AsObject();
        var expiresAt = DateTimeOffset.Parse((string)pending["expiresAt"]!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(expiresAt, before.AddSeconds(299), DateTimeOffset.UtcNow.AddSeconds(301));
    }

    [Fact]
    public async Task A_decision_decides_the_task_queues_its_command_and_sets_the_agent_running()
    {
        var user = await Agents.SignUpAsync();
        var (agent, token) = await Agents.CreateAgentAsync(user, "deployer");
        var taskId = await AskAsync(token, "deploy");

        var pending = Assert.Single(await Agents.GetArrayAsync("/v1/inbox?status=pending", bearer: user))!.AsObject();
        Assert.Equal(["id", "agentId", "agentName", "proposedAction", "completedActions", "status", "comment", "createdAt", "expiresAt"], pending.Select(p => p.Key).ToArray());
        Assert.Null(pending["expiresAt"]);
        Assert.Equal("deployer", (string?)pending["agentName"]);
        Assert.Equal(["built"], pending["completedActions"]!.AsArray().Select(a => (string)a!).ToArray());

        var item = await AccountsApi.ExpectJsonAsync(await DecideAsync(user, taskId, "{\"decision\":\"approved\",\"comment\":\"go ahead\"}"), HttpStatusCode.OK);
        Assert.Equal(taskId, (string?)item["id"]);
        Assert.Equal("approved", (string?)item["status"]);
        Assert.Equal("go ahead", (string?)item["comment"]);
        Assert.Equal("running", (string?)(await Agents.GetAgentAsync(user, (string)agent["id"]!))["status"]);
        Assert.Empty(await Agents.GetArrayAsync("/v1/inbox?status=pending", bearer: user));
        Assert.Equal(taskId, (string?)Assert.Single(await Agents.GetArrayAsync("/v1/inbox?status=approved", bearer: user))!["id"]);
        Assert.Empty(await Agents.GetArrayAsync("/v1/inbox?status=rejected", bearer: user));

        var command = Assert.Single(await Agents.GetArrayAsync("/v1/commands", agentToken: token))!.AsObject();
        Assert.Equal(["id", "agentId", "kind", "payload", "status", "createdAt", "sourceTaskId"], command.Select(p => p.Key).ToArray());
        Assert.Equal("approval_decision", (string?)command["kind"]);
        Assert.Equal("approved", (string?)command["payload"]!["decision"]);
        Assert.Equal("go ahead", (string?)command["payload"]!["comment"]);
        Assert.Equal("pending", (string?)command["status"]);
        Assert.Equal(taskId, (string?)command["sourceTaskId"]);

        var commandId = (string)command["id"]!;
        var acked = await AccountsApi.ExpectJsonAsync(await Agents.SendAsync(HttpMethod.Post, $"/v1/commands/{commandId}/ack", agentToken: token), HttpStatusCode.OK);
        Assert.Equal("acked", (string?)acked["status"]);
        Assert.Empty(await Agents.GetArrayAsync("/v1/commands", agentToken: token));
        var again = await AccountsApi.ExpectJsonAsync(await Agents.SendAsync(HttpMethod.Post, $"/v1/commands/{commandId}/ack", agentToken: token), HttpStatusCode.OK);
        Assert.Equal("acked", (string?)again["status"]);
    }

    [Fact]
    public async Task The_agent_waits_while_other_tasks_are_pending_and_a_second_decision_is_refused()
    {
        var user = await Agents.SignUpAsync();
        var (agent, token) = await Agents.CreateAgentAsync(user);
        var id = (string)agent["id"]!;
        var first = await AskAsync(token, "one");
        var second = await AskAsync(token, "two");

        await AccountsApi.ExpectJsonAsync(await DecideAsync(user, first, "{\"decision\":\"rejected\"}"), HttpStatusCode.OK);
        Assert.Equal("waiting_approval", (string?)(await Agents.GetAgentAsync(user, id))["status"]);
        await AgentsApi.ExpectDetailAsync(await DecideAsync(user, first, "{\"decision\":\"approved\"}"), HttpStatusCode.BadRequest, "Inbox item already decided.");
        await AccountsApi.ExpectJsonAsync(await DecideAsync(user, second, "{\"decision\":\"approved\"}"), HttpStatusCode.OK);
        Assert.Equal("running", (string?)(await Agents.GetAgentAsync(user, id))["status"]);

        var commands = await Agents.GetArrayAsync("/v1/commands", agentToken: token);
        Assert.Equal([first, second], commands.Select(c => (string)c!["sourceTaskId"]!).ToArray());
        Assert.Equal("rejected", (string?)commands[0]!["payload"]!["decision"]);
        Assert.Null(commands[0]!["payload"]!["comment"]);
        Assert.Equal(2, (await Agents.GetArrayAsync("/v1/inbox", bearer: user)).Count);
        Assert.Single(await Agents.GetArrayAsync("/v1/inbox?limit=1", bearer: user));
    }

    [Fact]
    public async Task Twenty_concurrent_decisions_on_one_item_give_exactly_one_200()
    {
        var user = await Agents.SignUpAsync();
        var (_, token) = await Agents.CreateAgentAsync(user);
        var taskId = await AskAsync(token, "race");

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            DecideAsync(user, taskId, i % 2 == 0 ? "{\"decision\":\"approved\"}" : "{\"decision\":\"rejected\"}")));
        var statuses = responses.Select(r => r.StatusCode).ToArray();
        foreach (var response in responses)
        {
            response.Dispose();
        }

        Assert.Equal(1, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(19, statuses.Count(s => s == HttpStatusCode.BadRequest));
        Assert.Single(await Agents.GetArrayAsync("/v1/commands", agentToken: token));
    }

    [Theory]
    [InlineData("{\"decision\":\"maybe\"}", 422, "decision must be approved or rejected.")]
    [InlineData("{}", 422, "decision must be approved or rejected.")]
    [InlineData("{\"decision\":true}", 422, "'decision' must be a string.")]
    [InlineData("{\"decision\":\"approved\",\"comment\":7}", 422, "'comment' must be a string.")]
    [InlineData("{\"decision\":", 400, null)]
    [InlineData("[\"approved\"]", 400, "The request body must be a JSON object.")]
    public async Task A_bad_decision_body_changes_nothing(string body, int status, string? message)
    {
        var user = await Agents.SignUpAsync();
        var (agent, token) = await Agents.CreateAgentAsync(user);
        var taskId = await AskAsync(token, "x");
        var answer = await AccountsApi.ExpectJsonAsync(await DecideAsync(user, taskId, body), (HttpStatusCode)status);
        if (message is not null)
        {
            Assert.Equal(message, (string?)answer["detail"]);
        }

        await ExpectStillPendingAsync(user, token, (string)agent["id"]!, taskId);
    }

    [Fact]
    public async Task Comments_over_2000_characters_are_refused()
    {
        var user = await Agents.SignUpAsync();
        var (agent, token) = await Agents.CreateAgentAsync(user);
        var taskId = await AskAsync(token, "x");
        await AgentsApi.ExpectDetailAsync(await DecideAsync(user, taskId, $"{{\"decision\":\"approved\",\"comment\":\"{new string('c', 2001)}\"}}"),
            HttpStatusCode.UnprocessableEntity, "comment must be at most 2000 characters.");
        await ExpectStillPendingAsync(user, token, (string)agent["id"]!, taskId);
        await AccountsApi.ExpectJsonAsync(await DecideAsync(user, taskId, $"{{\"decision\":\"approved\",\"comment\":\"{new string('c', 2000)}\"}}"), HttpStatusCode.OK);
    }

    [Fact]
    public async Task Another_users_item_is_not_found_and_stays_pending()
    {
        var owner = await Agents.SignUpAsync();
        var (agent, token) = await Agents.CreateAgentAsync(owner);
        var taskId = await AskAsync(token, "mine");
        var intruder = await Agents.SignUpAsync();

        await AgentsApi.ExpectDetailAsync(await DecideAsync(intruder, taskId, "{\"decision\":\"approved\"}"), HttpStatusCode.NotFound, "Inbox item not found.");
        await AgentsApi.ExpectDetailAsync(await DecideAsync(intruder, taskId, "{\"decision\":\"bogus\"}"), HttpStatusCode.NotFound, "Inbox item not found.");
        Assert.Empty(await Agents.GetArrayAsync("/v1/inbox", bearer: intruder));
        foreach (var id in new[] { Guid.NewGuid().ToString("N"), taskId.ToUpperInvariant(), "nope" })
        {
            await AgentsApi.ExpectDetailAsync(await DecideAsync(owner, id, "{\"decision\":\"approved\"}"), HttpStatusCode.NotFound, "Inbox item not found.");
        }

        await ExpectStillPendingAsync(owner, token, (string)agent["id"]!, taskId);
    }

    [Fact]
    public async Task An_agent_cannot_see_or_ack_another_agents_commands()
    {
        var user = await Agents.SignUpAsync();
        var (_, tokenA) = await Agents.CreateAgentAsync(user, "a");
        var (_, tokenB) = await Agents.CreateAgentAsync(user, "b");
        await AccountsApi.ExpectJsonAsync(await DecideAsync(user, await AskAsync(tokenA, "x"), "{\"decision\":\"approved\"}"), HttpStatusCode.OK);
        var command = (string)Assert.Single(await Agents.GetArrayAsync("/v1/commands", agentToken: tokenA))!["id"]!;

        Assert.Empty(await Agents.GetArrayAsync("/v1/commands", agentToken: tokenB));
        await AgentsApi.ExpectDetailAsync(await Agents.SendAsync(HttpMethod.Post, $"/v1/commands/{command}/ack", agentToken: tokenB), HttpStatusCode.NotFound, "Command not found.");
        Assert.Equal("pending", (string?)Assert.Single(await Agents.GetArrayAsync("/v1/commands", agentToken: tokenA))!["status"]);
    }

    [Theory]
    [InlineData("status=done")]
    [InlineData("status=Pending")]
    [InlineData("limit=0")]
    [InlineData("limit=501")]
    public async Task Bad_inbox_queries_are_refused(string query)
    {
        var user = await Agents.SignUpAsync();
        using var response = await Agents.SendAsync(HttpMethod.Get, $"/v1/inbox?{query}", bearer: user);
        var body = await AccountsApi.ExpectJsonAsync(response, HttpStatusCode.UnprocessableEntity);
        Assert.Equal(query.StartsWith("status") ? "status must be one of: pending, approved, rejected." : "limit must be an integer from 1 to 500.", (string?)body["detail"]);
    }

    private async Task<string> AskAsync(string agentToken, string action)
    {
        Clock.Advance(TimeSpan.FromMilliseconds(10));
        var answer = await AccountsApi.ExpectJsonAsync(
            await Agents.PostEventAsync(agentToken, new { type = "approval_request", message = $"may I {action}?", requiresApproval = true, proposedAction = action, completedActions = new[] { "built" } }),
            HttpStatusCode.Created);
        return (string)answer["taskId"]!;
    }

    private Task<HttpResponseMessage> DecideAsync(string user, string taskId, string body) =>
        Agents.SendAsync(HttpMethod.Post, $"/v1/inbox/{taskId}/decision", body, bearer: user);

    private async Task ExpectStillPendingAsync(string user, string agentToken, string agentId, string taskId)
    {
        var item = Assert.Single(await Agents.GetArrayAsync("/v1/inbox", bearer: user))!;
        Assert.Equal(taskId, (string?)item["id"]);
        Assert.Equal("pending", (string?)item["status"]);
        Assert.Null(item["comment"]);
        Assert.Empty(await Agents.GetArrayAsync("/v1/commands", agentToken: agentToken));
        Assert.Equal("waiting_approval", (string?)(await Agents.GetAgentAsync(user, agentId))["status"]);
    }
}
