using System.Net;
using System.Text.Json.Nodes;
using OrbitGrains.Agents;
using OrbitGrains.Tests.Accounts;

namespace OrbitGrains.Tests.Agents;

/// <summary>
/// Costs a hostile agent sends (review of the Agents family): a cost outside 0..1000000000 is
/// refused with 422 before anything is written (the documented maximum, 10^9 per event), and sums of spend already stored never overflow into a 500.
/// </summary>
public sealed class AgentsCostLimitTests(AgentsHost host) : AccountsHostTest<AgentsHost>(host)
{
    private const string Refusal = "cost must be a number from 0 to 1000000000.";

    private AgentsApi Agents => new(Host.Http);

    [Fact]
    public async Task The_largest_decimal_cost_is_refused_every_time_and_leaves_the_events_and_their_count_as_they_were()
    {
        var user = await Agents.SignUpAsync();
        var (agent, token) = await Agents.CreateAgentAsync(user);
        var id = (string)agent["id"]!;
        await ExpectCreatedAsync(token, "{\"type\":\"action\",\"message\":\"before\",\"cost\":1.5}");

        var huge = "{\"type\":\"action\",\"message\":\"m\",\"cost\":79228162514264337593543950335}";
        foreach (var _ in new[] { 1, 2 })
        {
            await AgentsApi.ExpectDetailAsync(await Agents.SendAsync(HttpMethod.Post, "/v1/events", huge, agentToken: token), HttpStatusCode.UnprocessableEntity, Refusal);
        }

        await AgentsApi.ExpectDetailAsync(await Agents.SendAsync(HttpMethod.Post, "/v1/events", "{\"type\":\"action\",\"message\":\"m\",\"cost\":1000000000.01}", agentToken: token),
            HttpStatusCode.UnprocessableEntity, Refusal);
        await ExpectCreatedAsync(token, "{\"type\":\"action\",\"message\":\"after\",\"cost\":1000000000}");

        var listed = await Agents.GetArrayAsync($"/v1/events?agentId={id}", bearer: user);
        Assert.Equal(["after", "before"], listed.Select(e => (string)e!["message"]!));
        var stored = await Agents.GetAgentAsync(user, id);
        Assert.Equal(2, (long)stored["eventsCount"]!);
        Assert.Equal(1_000_000_001.5m, (decimal)stored["totalSpend"]!);
        Assert.Equal(1_000_000_001.5m, (decimal)(await GetSpendAsync(user))["monthly"]!);
    }

    [Fact]
    public async Task Two_agents_sending_5e28_are_refused_and_the_spend_view_keeps_working()
    {
        var user = await Agents.SignUpAsync();
        var agents = new[] { await Agents.CreateAgentAsync(user, "a"), await Agents.CreateAgentAsync(user, "b") };
        foreach (var (_, token) in agents)
        {
            await AgentsApi.ExpectDetailAsync(await Agents.SendAsync(HttpMethod.Post, "/v1/events", "{\"type\":\"action\",\"message\":\"m\",\"cost\":5e28}", agentToken: token),
                HttpStatusCode.UnprocessableEntity, Refusal);
        }

        var spend = await GetSpendAsync(user);
        Assert.Equal(0m, (decimal)spend["monthly"]!);
        Assert.Equal(0m, (decimal)spend["daily"]!);
        Assert.Empty(await Agents.GetArrayAsync("/v1/events", bearer: user));
        foreach (var (agent, _) in agents)
        {
            Assert.Equal(0, (long)(await Agents.GetAgentAsync(user, (string)agent["id"]!))["eventsCount"]!);
        }
    }

    [Fact]
    public async Task Spend_stored_before_the_limit_existed_is_summed_up_to_the_largest_decimal_without_a_500()
    {
        // Events of this size were accepted before the edge refused them; they are still in stored state, so the agents,
        // the workspace and the spend view must add them without overflowing. They are handed to the grains directly,
        // as the edge no longer lets them through.
        var user = await Agents.SignUpAsync();
        var agents = new[] { await Agents.CreateAgentAsync(user, "a"), await Agents.CreateAgentAsync(user, "b") };
        foreach (var (agent, _) in agents)
        {
            var grain = Host.Grains.GetGrain<IAgentGrain>((string)agent["id"]!);
            foreach (var _ in new[] { 1, 2 })
            {
                Assert.NotNull(Assert.Single(await grain.RecordBatch([new NewAgentEvent(Guid.NewGuid().ToString("N"), "action", "legacy", decimal.MaxValue, null, null, [])])));
            }
        }

        var (first, token) = agents[0];
        await ExpectCreatedAsync(token, "{\"type\":\"action\",\"message\":\"m\",\"cost\":2}");
        var stored = await Agents.GetAgentAsync(user, (string)first["id"]!);
        Assert.Equal(3, (long)stored["eventsCount"]!);
        Assert.Equal(decimal.MaxValue, (decimal)stored["totalSpend"]!);
        Assert.Equal(5, (await Agents.GetArrayAsync("/v1/events", bearer: user)).Count);

        var spend = await GetSpendAsync(user);
        Assert.Equal(decimal.MaxValue, (decimal)spend["monthly"]!);
        Assert.Equal(decimal.MaxValue, (decimal)spend["daily"]!);
        Assert.All(spend["agentBreakdown"]!.AsArray(), b => Assert.Equal(decimal.MaxValue, (decimal)b!["spend"]!));
        Assert.Equal(decimal.MaxValue, spend["history"]!.AsArray().Select(d => (decimal)d!["spend"]!).Max());
    }

    private async Task ExpectCreatedAsync(string agentToken, string body) =>
        await AccountsApi.ExpectJsonAsync(await Agents.SendAsync(HttpMethod.Post, "/v1/events", body, agentToken: agentToken), HttpStatusCode.Created);

    private async Task<JsonObject> GetSpendAsync(string user) =>
        await AccountsApi.ExpectJsonAsync(await Agents.SendAsync(HttpMethod.Get, "/v1/spend", bearer: user), HttpStatusCode.OK);
}
