using System.Net;
using System.Text.Json.Nodes;
using OrbitGrains.Tests.Accounts;

namespace OrbitGrains.Tests.Agents;

/// <summary>`/v1/spend` and `/v1/spend/budget` (spec: jarvis.md), and the budget enforced on events (issue: "Budget enforcement").</summary>
public sealed class AgentsSpendTests(AgentsHost host) : AccountsHostTest<AgentsHost>(host)
{
    private AgentsApi Agents => new(Host.Http);

    [Fact]
    public async Task Spend_is_counted_per_day_per_month_and_per_agent()
    {
        var user = await Agents.SignUpAsync();
        var (a, tokenA) = await Agents.CreateAgentAsync(user, "a");
        var (_, tokenB) = await Agents.CreateAgentAsync(user, "b");
        await SpendAsync(tokenA, 1.25m);
        await SpendAsync(tokenB, 2m);
        await SpendAsync(tokenA, 0m);

        var spend = await GetSpendAsync(user);
        Assert.Equal(["daily", "monthly", "budget", "agentBreakdown", "history"], spend.Select(p => p.Key).ToArray());
        Assert.Equal(3.25m, (decimal)spend["daily"]!);
        var history = History(spend);
        Assert.Equal(30, history.Count);
        Assert.Equal((Today(), 3.25m), history[^1]);
        Assert.All(history.SkipLast(1), day => Assert.Equal(0m, day.Spend));
        Assert.Equal(3.25m, (decimal)spend["monthly"]!);
        Assert.Null(spend["budget"]);
        var breakdown = spend["agentBreakdown"]!.AsArray().ToDictionary(b => (string)b!["agentName"]!, b => (decimal)b!["spend"]!);
        Assert.Equal(new Dictionary<string, decimal> { ["a"] = 1.25m, ["b"] = 2m }, breakdown);
        Assert.Equal((string?)a["id"], (string?)spend["agentBreakdown"]!.AsArray().Single(b => (string)b!["agentName"]! == "a")!["agentId"]);

        // The other user's workspace is its own.
        var other = await Agents.SignUpAsync();
        var theirs = await GetSpendAsync(other);
        Assert.Equal(0m, (decimal)theirs["monthly"]!);
        Assert.Empty(theirs["agentBreakdown"]!.AsArray());
    }

    [Fact]
    public async Task A_new_day_and_a_new_month_start_from_zero()
    {
        var user = await Agents.SignUpAsync();
        var (_, token) = await Agents.CreateAgentAsync(user);
        await SpendAsync(token, 4m);
        Clock.Advance(TimeSpan.FromDays(1));
        await SpendAsync(token, 1m);
        var spend = await GetSpendAsync(user);
        var nextMonth = Clock.GetUtcNow().Month != Clock.GetUtcNow().AddDays(-1).Month;
        Assert.Equal(1m, (decimal)spend["daily"]!);
        Assert.Equal(nextMonth ? 1m : 5m, (decimal)spend["monthly"]!);
        Assert.Equal([4m, 1m], History(spend).TakeLast(2).Select(d => d.Spend));

        Clock.Advance(TimeSpan.FromDays(32));
        spend = await GetSpendAsync(user);
        Assert.Equal(0m, (decimal)spend["daily"]!);
        Assert.Equal(0m, (decimal)spend["monthly"]!);
        Assert.Equal(0m, (decimal)spend["agentBreakdown"]![0]!["spend"]!);
        Assert.All(History(spend), day => Assert.Equal(0m, day.Spend));
    }

    [Fact]
    public async Task A_batch_counted_again_after_a_crash_is_taken_back_from_the_day_it_was_counted_on()
    {
        var workspace = Host.Grains.GetGrain<OrbitGrains.Agents.IWorkspaceGrain>($"spend-days-{Guid.NewGuid():N}");
        await workspace.AddSpend("agent-1", 1, 3, 2m);
        await workspace.AddSpend("agent-1", 1, 3, 2m);
        Assert.Equal(2m, (await workspace.SpendDays(1)).Single().Spend);

        // Counted again on the next day (the agent stored the batch only then): it moves, it is not doubled.
        Clock.Advance(TimeSpan.FromDays(1));
        await workspace.AddSpend("agent-1", 2, 3, 2m);
        Assert.Equal([0m, 2m], (await workspace.SpendDays(2)).Select(d => d.Spend));
        await workspace.AddSpend("agent-1", 4, 4, 0.5m);
        Assert.Equal([0m, 2.5m], (await workspace.SpendDays(2)).Select(d => d.Spend));
        Assert.Equal(OrbitGrains.Agents.IWorkspaceGrain.MaxSpendDays, (await workspace.SpendDays(1000)).Length);
    }

    private string Today() => Clock.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    private static List<(string Date, decimal Spend)> History(JsonObject spend) =>
        spend["history"]!.AsArray().Select(d => ((string)d!["date"]!, (decimal)d["spend"]!)).ToList();

    [Fact]
    public async Task The_event_that_crosses_the_budget_is_stored_and_pauses_its_agent_with_one_budget_exceeded_command()
    {
        var user = await Agents.SignUpAsync();
        var (agent, token) = await Agents.CreateAgentAsync(user);
        var id = (string)agent["id"]!;
        var set = await AccountsApi.ExpectJsonAsync(await Agents.SendAsync(HttpMethod.Patch, "/v1/spend/budget", "{\"budget\":10}", bearer: user), HttpStatusCode.OK);
        Assert.Equal(10m, (decimal)set["budget"]!);

        await SpendAsync(token, 6m);
        Assert.Equal("idle", (string?)(await Agents.GetAgentAsync(user, id))["status"]);
        Assert.Empty(await Agents.GetArrayAsync("/v1/commands", agentToken: token));

        await SpendAsync(token, 5m);
        var after = await Agents.GetAgentAsync(user, id);
        Assert.Equal("paused", (string?)after["status"]);
        Assert.Equal(2, (long)after["eventsCount"]!);
        var command = Assert.Single(await Agents.GetArrayAsync("/v1/commands", agentToken: token))!;
        Assert.Equal("budget_exceeded", (string?)command["kind"]);
        Assert.Equal(11m, (decimal)command["payload"]!["monthly"]!);
        Assert.Equal(10m, (decimal)command["payload"]!["budget"]!);
        Assert.Null(command["sourceTaskId"]);

        await SpendAsync(token, 1m);
        Assert.Single(await Agents.GetArrayAsync("/v1/commands", agentToken: token));
        Assert.Equal(12m, (decimal)(await GetSpendAsync(user))["monthly"]!);
    }

    [Fact]
    public async Task Without_a_budget_nothing_is_paused()
    {
        var user = await Agents.SignUpAsync();
        var (agent, token) = await Agents.CreateAgentAsync(user);
        await AccountsApi.ExpectJsonAsync(await Agents.SendAsync(HttpMethod.Patch, "/v1/spend/budget", "{\"budget\":1}", bearer: user), HttpStatusCode.OK);
        var off = await AccountsApi.ExpectJsonAsync(await Agents.SendAsync(HttpMethod.Patch, "/v1/spend/budget", "{\"budget\":null}", bearer: user), HttpStatusCode.OK);
        Assert.Null(off["budget"]);
        await SpendAsync(token, 1_000_000m);
        Assert.Equal("idle", (string?)(await Agents.GetAgentAsync(user, (string)agent["id"]!))["status"]);
        Assert.Empty(await Agents.GetArrayAsync("/v1/commands", agentToken: token));
    }

    [Theory]
    [InlineData("{}", 422, "budget must be a number > 0 (or null for no budget).")]
    [InlineData("{\"budget\":0}", 422, "budget must be a number > 0 (or null for no budget).")]
    [InlineData("{\"budget\":-5}", 422, "budget must be a number > 0 (or null for no budget).")]
    [InlineData("{\"budget\":\"10\"}", 422, "budget must be a number > 0 (or null for no budget).")]
    [InlineData("{\"budget\":1e400}", 422, "budget must be a number > 0 (or null for no budget).")]
    [InlineData("{\"budget\":", 400, null)]
    [InlineData("{\"budget\":1,\"budget\":2}", 400, null)]
    public async Task A_bad_budget_is_refused_and_the_budget_stays(string body, int status, string? message)
    {
        var user = await Agents.SignUpAsync();
        await AccountsApi.ExpectJsonAsync(await Agents.SendAsync(HttpMethod.Patch, "/v1/spend/budget", "{\"budget\":25.5}", bearer: user), HttpStatusCode.OK);
        var answer = await AccountsApi.ExpectJsonAsync(await Agents.SendAsync(HttpMethod.Patch, "/v1/spend/budget", body, bearer: user), (HttpStatusCode)status);
        if (message is not null)
        {
            Assert.Equal(message, (string?)answer["detail"]);
        }

        Assert.Equal(25.5m, (decimal)(await GetSpendAsync(user))["budget"]!);
    }

    [Fact]
    public async Task One_users_budget_does_not_touch_anothers()
    {
        var owner = await Agents.SignUpAsync();
        var (agent, token) = await Agents.CreateAgentAsync(owner);
        var other = await Agents.SignUpAsync();
        await AccountsApi.ExpectJsonAsync(await Agents.SendAsync(HttpMethod.Patch, "/v1/spend/budget", "{\"budget\":1}", bearer: other), HttpStatusCode.OK);
        await SpendAsync(token, 5m);
        Assert.Equal("idle", (string?)(await Agents.GetAgentAsync(owner, (string)agent["id"]!))["status"]);
        Assert.Null((await GetSpendAsync(owner))["budget"]);
    }

    [Fact]
    public async Task Many_agents_of_one_workspace_spending_at_once_are_all_counted()
    {
        // The workspace lets spend calls interleave and share writes: none may be lost or counted twice.
        var user = await Agents.SignUpAsync();
        var agents = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Agents.CreateAgentAsync(user, $"spender-{i}")));
        await Task.WhenAll(agents.SelectMany(agent => Enumerable.Range(0, 10).Select(_ => SpendAsync(agent.Token, 0.25m))));

        var spend = await GetSpendAsync(user);
        Assert.Equal(20m, (decimal)spend["monthly"]!);
        Assert.Equal(20m, (decimal)spend["daily"]!);
        Assert.All(spend["agentBreakdown"]!.AsArray(), b => Assert.Equal(2.5m, (decimal)b!["spend"]!));
        Assert.Equal(8, spend["agentBreakdown"]!.AsArray().Count);
    }

    private async Task SpendAsync(string agentToken, decimal cost) =>
        await AccountsApi.ExpectJsonAsync(await Agents.PostEventAsync(agentToken, new { type = "action", message = "work", cost }), HttpStatusCode.Created);

    private async Task<JsonObject> GetSpendAsync(string user) =>
        await AccountsApi.ExpectJsonAsync(await Agents.SendAsync(HttpMethod.Get, "/v1/spend", bearer: user), HttpStatusCode.OK);

    [Fact]
    public async Task Spend_counted_for_a_batch_the_agent_never_stored_is_taken_back_by_its_next_batch()
    {
        // The agent counts a batch with its workspace, then stores it; a crash in between leaves the workspace ahead. The
        // agent's next batch reuses the lost sequence numbers, which is how the workspace knows.
        var workspace = Host.Grains.GetGrain<OrbitGrains.Agents.IWorkspaceGrain>($"spend-{Guid.NewGuid():N}");
        Assert.Equal(2m, (await workspace.AddSpend("agent-a", 1, 1, 2m)).Total);
        Assert.Equal(3m, (await workspace.AddSpend("agent-a", 1, 2, 3m)).Total);
        Assert.Equal(4m, (await workspace.AddSpend("agent-a", 3, 3, 1m)).Total);
        Assert.Equal(4m, (await workspace.AddSpend("agent-a", 4, 4, 0m)).Total);
        Assert.Equal(4.5m, (await workspace.AddSpend("agent-b", 1, 1, 0.5m)).Total);

        // A lost batch followed by one that costs nothing: the lost cost still goes.
        Assert.Equal(5.5m, (await workspace.AddSpend("agent-a", 5, 5, 1m)).Total);
        Assert.Equal(4.5m, (await workspace.AddSpend("agent-a", 5, 5, 0m)).Total);
        Assert.Equal(4.5m, (await workspace.Month()).Total);
    }
}
