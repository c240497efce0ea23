using System.Diagnostics;
using System.Net;
using OrbitGrains.Tests.Accounts;

namespace OrbitGrains.Tests.Agents;

/// <summary>`GET /v1/commands/listen`: the long-poll that answers the moment a command is queued for the agent.</summary>
public sealed class AgentsListenTests(AgentsHost host) : AccountsHostTest<AgentsHost>(host)
{
    private AgentsApi Agents => new(Host.Http);

    [Fact]
    public async Task A_waiting_listen_returns_the_decisions_command_and_only_its_own_agents()
    {
        var user = await Agents.SignUpAsync();
        var (_, token) = await Agents.CreateAgentAsync(user, "listener");
        var (_, otherToken) = await Agents.CreateAgentAsync(user, "other");
        var taskId = await Agents.AskAsync(token, "deploy");
        var otherTask = await Agents.AskAsync(otherToken, "delete");

        var listening = Agents.GetArrayAsync("/v1/commands/listen?timeout=25", agentToken: token);

        // Another agent's command does not wake it: the agent's own decision, made after, is what it answers with.
        await AccountsApi.ExpectJsonAsync(await Agents.DecideAsync(user, otherTask, "rejected"), HttpStatusCode.OK);
        await AccountsApi.ExpectJsonAsync(await Agents.DecideAsync(user, taskId), HttpStatusCode.OK);
        var commands = await listening;
        var command = Assert.Single(commands)!;
        Assert.Equal(taskId, (string?)command["sourceTaskId"]);
        Assert.Equal("approval_decision", (string?)command["kind"]);

        // Pending commands answer at once, without waiting.
        var watch = Stopwatch.StartNew();
        Assert.Single(await Agents.GetArrayAsync("/v1/commands/listen?timeout=25", agentToken: token));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"a pending command is answered at once, took {watch.Elapsed}");
    }

    [Fact]
    public async Task Without_commands_it_answers_an_empty_list_at_the_timeout()
    {
        var user = await Agents.SignUpAsync();
        var (_, token) = await Agents.CreateAgentAsync(user);
        Assert.Empty(await Agents.GetArrayAsync("/v1/commands/listen?timeout=0", agentToken: token));
        var watch = Stopwatch.StartNew();
        Assert.Empty(await Agents.GetArrayAsync("/v1/commands/listen?timeout=1", agentToken: token));
        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(0.9), $"it waited the timeout, took {watch.Elapsed}");
    }

    [Fact]
    public async Task A_budget_crossing_event_wakes_the_listener_with_budget_exceeded()
    {
        var user = await Agents.SignUpAsync();
        var (_, token) = await Agents.CreateAgentAsync(user);
        await AccountsApi.ExpectJsonAsync(await Agents.SendAsync(HttpMethod.Patch, "/v1/spend/budget", "{\"budget\":1}", bearer: user), HttpStatusCode.OK);
        var listening = Agents.GetArrayAsync("/v1/commands/listen?timeout=25", agentToken: token);
        await AccountsApi.ExpectJsonAsync(await Agents.PostEventAsync(token, new { type = "action", message = "costly", cost = 2 }), HttpStatusCode.Created);
        Assert.Equal("budget_exceeded", (string?)Assert.Single(await listening)!["kind"]);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("-1")]
    [InlineData("1.5")]
    [InlineData("1e3")]
    [InlineData("99999999999")]
    public async Task A_malformed_timeout_is_refused_with_the_familys_message(string timeout)
    {
        var user = await Agents.SignUpAsync();
        var (_, token) = await Agents.CreateAgentAsync(user);
        await AgentsApi.ExpectDetailAsync(await Agents.SendAsync(HttpMethod.Get, $"/v1/commands/listen?timeout={Uri.EscapeDataString(timeout)}", agentToken: token),
            HttpStatusCode.UnprocessableEntity, "timeout must be a whole number of seconds from 0 (at most 25 are used).");
    }

    [Fact]
    public async Task A_huge_timeout_is_cut_to_the_maximum_and_the_route_takes_agent_tokens_only()
    {
        var user = await Agents.SignUpAsync();
        var (agent, token) = await Agents.CreateAgentAsync(user);
        var taskId = await Agents.AskAsync(token, "wait");
        var listening = Agents.GetArrayAsync("/v1/commands/listen?timeout=86400", agentToken: token);
        await AccountsApi.ExpectJsonAsync(await Agents.DecideAsync(user, taskId), HttpStatusCode.OK);
        Assert.Single(await listening);

        await AgentsApi.ExpectDetailAsync(await Agents.SendAsync(HttpMethod.Get, "/v1/commands/listen?timeout=0", bearer: user),
            HttpStatusCode.Unauthorized, "Missing X-Agent-Token header.");
        await AgentsApi.ExpectDetailAsync(await Agents.SendAsync(HttpMethod.Get, "/v1/commands/listen?timeout=0", agentToken: user),
            HttpStatusCode.Unauthorized, "Invalid or revoked agent token.");
        (await Agents.SendAsync(HttpMethod.Post, $"/v1/agents/{agent["id"]}/revoke-token", bearer: user)).Dispose();
        await AgentsApi.ExpectDetailAsync(await Agents.SendAsync(HttpMethod.Get, "/v1/commands/listen?timeout=0", agentToken: token),
            HttpStatusCode.Unauthorized, "Invalid or revoked agent token.");
    }
}
