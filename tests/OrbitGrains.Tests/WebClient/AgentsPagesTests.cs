using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using OrbitGrains.Tests.Accounts;
using OrbitGrains.Tests.Agents;
using static Microsoft.Playwright.Assertions;

namespace OrbitGrains.Tests.WebClient;

/// <summary>The Agents dashboard as a person uses it while their agents report through the agent API (X-Agent-Token).</summary>
public sealed class AgentsPagesTests(WebClientHost host) : WebClientTest<WebClientHost>(host)
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(60);

    private AgentsApi Api => new(Product.Http);

    [Fact]
    public async Task A_created_agents_events_arrive_live_and_its_approval_is_decided_from_the_home_page()
    {
        var person = await Product.NewPersonAsync("agents");
        var page = await Product.SignedInPageAsync(person, "/agents");
        await Expect(Heading(page, "Agents")).ToBeVisibleAsync();
        await Expect(page.GetByText("No agents yet")).ToBeVisibleAsync();

        await page.GetByLabel("Name").FillAsync("Builder");
        await page.GetByLabel("Description").FillAsync("Builds the nightly release");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create agent" }).ClickAsync();
        var token = (await page.GetByTestId("agent-token").TextContentAsync())!.Trim();
        Assert.Matches("^[A-Za-z0-9_-]{20,}$", token);
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Builder" })).ToBeVisibleAsync();
        await PageChecks.CheckAsync(page, "agents-token");
        await page.GetByRole(AriaRole.Button, new() { Name = "I have copied it" }).ClickAsync();
        await Expect(page.GetByTestId("agent-token")).ToHaveCountAsync(0);

        // The agent's page follows its events live.
        await page.GetByRole(AriaRole.Link, new() { Name = "Builder" }).ClickAsync();
        await Expect(Heading(page, "Builder")).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Live" })).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await PostEventAsync(token, new { type = "action", message = "Compiled the sources", cost = 0.25m });
        var timeline = page.GetByRole(AriaRole.List, new() { Name = "Agent events" });
        await Expect(timeline.GetByText("Compiled the sources")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await PostEventAsync(token, new { type = "action", message = "Ran the tests" });
        await Expect(timeline.GetByRole(AriaRole.Listitem).First).ToContainTextAsync("Ran the tests", new() { Timeout = 30_000 });
        await PageChecks.CheckAsync(page, "agent");

        // An approval request shows in the inbox (with its countdown) and on the home page.
        var taskId = await AskAsync(token, "publish the release", 600);
        await page.GetByRole(AriaRole.Link, new() { Name = "← Agents" }).ClickAsync();
        var entry = page.GetByRole(AriaRole.Listitem, new() { Name = "Builder: publish the release" });
        await Expect(entry).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Expect(entry.GetByText("expires in")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("inbox-pending")).ToHaveTextAsync("1 pending");
        await PageChecks.CheckAsync(page, "agents");

        var home = await Product.SignedInPageAsync(person, "/");
        var waiting = home.GetByRole(AriaRole.List, new() { Name = "Approvals waiting" });
        var onHome = waiting.GetByRole(AriaRole.Listitem, new() { Name = "Builder: publish the release" });
        await Expect(onHome).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Expect(home.GetByTestId("home-pending")).ToHaveTextAsync("1 approval");
        await PageChecks.CheckAsync(home, "home");
        await onHome.GetByLabel("Comment").FillAsync("Ship it");
        await onHome.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        await Expect(home.GetByText("No agent waits for an approval.")).ToBeVisibleAsync();

        // The agent receives its decision, and the dashboard open in the other tab saw it live.
        var command = await CommandForAsync(token, taskId);
        Assert.Equal("approval_decision", (string)command["kind"]!);
        Assert.Contains("approved", command["payload"]!.ToJsonString());
        Assert.Contains("Ship it", command["payload"]!.ToJsonString());
        await Expect(entry.GetByText("approved", new() { Exact = true })).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Expect(page.GetByTestId("inbox-pending")).ToHaveTextAsync("0 pending");
    }

    [Fact]
    public async Task The_spend_charts_show_the_scripted_totals_and_the_budget_warns_as_it_is_crossed()
    {
        var person = await Product.NewPersonAsync("spend");
        var (_, alpha) = await Api.CreateAgentAsync(person.Token, "Alpha");
        var (_, beta) = await Api.CreateAgentAsync(person.Token, "Beta");
        foreach (var cost in new[] { 1.25m, 2.50m, 0.75m })
        {
            await PostEventAsync(alpha, new { type = "tool_call", message = "tokens", cost });
        }

        await PostEventAsync(beta, new { type = "tool_call", message = "tokens", cost = 3.00m });

        var page = await Product.SignedInPageAsync(person, "/agents");
        await Expect(page.GetByTestId("spend-today")).ToHaveTextAsync("$7.50", new() { Timeout = 30_000 });
        await Expect(page.GetByTestId("spend-month")).ToHaveTextAsync("$7.50");
        await Expect(page.GetByTestId("spend-budget")).ToHaveTextAsync("none");
        var perAgent = page.GetByTestId("spend-per-agent");
        await perAgent.GetByText("the numbers").ClickAsync();
        await page.GetByTestId("spend-per-day").GetByText("the numbers").ClickAsync();
        await Expect(perAgent.GetByRole(AriaRole.Row, new() { Name = "Alpha" })).ToContainTextAsync("$4.50");
        await Expect(perAgent.GetByRole(AriaRole.Row, new() { Name = "Beta" })).ToContainTextAsync("$3.00");
        var today = DateTime.UtcNow.ToString("MM-dd");
        await Expect(page.GetByTestId("spend-per-day").GetByRole(AriaRole.Row, new() { Name = today })).ToContainTextAsync("$7.50");
        foreach (var chart in new[] { "spend-per-agent", "spend-per-day" })
        {
            await page.WaitForFunctionAsync(
                "id => { const c = document.querySelector(`[data-testid='${id}'] canvas`); if (!c || !c.width) return false;" +
                " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;" +
                " for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n > 500; }",
                chart, new() { Timeout = 30_000 });
        }

        await Expect(page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "budget" })).ToHaveCountAsync(0);

        // 7.50 of 8.00 is over 80 %: the warning shows as soon as the budget is set.
        await page.GetByLabel("New monthly budget (US dollars)").FillAsync("8");
        await page.GetByRole(AriaRole.Button, new() { Name = "Set budget" }).ClickAsync();
        await Expect(page.GetByTestId("spend-budget")).ToHaveTextAsync("$8.00");
        await Expect(page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "Budget nearly used: 94 %" })).ToBeVisibleAsync();
        await PageChecks.CheckAsync(page, "agents-spend");

        // One more event crosses it: the page says so live, and the server paused the agent.
        await PostEventAsync(beta, new { type = "tool_call", message = "tokens", cost = 1.00m });
        await Expect(page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "Over budget: $8.50 of $8.00" })).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "My agents" }).GetByRole(AriaRole.Row, new() { Name = "Beta" }).GetByTestId("agent-status")).ToHaveTextAsync("paused", new() { Timeout = 30_000 });

        // Removing the budget removes the warning; the server's answer is what the page shows.
        await page.GetByRole(AriaRole.Button, new() { Name = "No budget" }).ClickAsync();
        await Expect(page.GetByTestId("spend-budget")).ToHaveTextAsync("none");
        await Expect(page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "budget" })).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Another_persons_agent_is_not_found_and_a_rotated_token_is_shown_once_and_replaces_the_old()
    {
        var owner = await Product.NewPersonAsync("owner");
        var (agent, oldToken) = await Api.CreateAgentAsync(owner.Token, "Keeper");
        var id = (string)agent["id"]!;

        var stranger = await Product.NewPersonAsync("stranger");
        var foreign = await Product.SignedInPageAsync(stranger, $"/agents/{id}");
        await Expect(foreign.GetByRole(AriaRole.Alert).Filter(new() { HasText = "Agent not found." })).ToBeVisibleAsync();
        var malformed = await Product.SignedInPageAsync(stranger, "/agents/%3Cnot-an-id%3E");
        await Expect(malformed.GetByRole(AriaRole.Alert).Filter(new() { HasText = "Agent not found." })).ToBeVisibleAsync();

        var page = await Product.SignedInPageAsync(owner, $"/agents/{id}");
        await Expect(Heading(page, "Keeper")).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Rotate token" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Rotate: the old token stops working" }).ClickAsync();
        var newToken = (await page.GetByTestId("agent-token").TextContentAsync())!.Trim();
        Assert.NotEqual(oldToken, newToken);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostRawAsync(oldToken, new { type = "action", message = "old" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await PostRawAsync(newToken, new { type = "action", message = "new" })).StatusCode);

        await page.GetByLabel("Set status").SelectOptionAsync("paused");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save status" }).ClickAsync();
        await Expect(page.GetByTestId("agent-status")).ToHaveTextAsync("paused");

        await page.GetByRole(AriaRole.Button, new() { Name = "Revoke token" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm: revoke token" }).ClickAsync();
        await Expect(page.GetByTestId("token-hash")).ToHaveTextAsync("revoked");
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostRawAsync(newToken, new { type = "action", message = "revoked" })).StatusCode);
    }

    [Fact]
    public async Task A_refused_agent_form_shows_the_apis_detail_and_creates_nothing()
    {
        var person = await Product.NewPersonAsync("refused");
        var page = await Product.SignedInPageAsync(person, "/agents");
        await Expect(page.GetByText("No agents yet")).ToBeVisibleAsync();
        // Past the browser's own maxlength, so the server's rule is what refuses.
        await page.GetByLabel("Name").EvaluateAsync("e => e.removeAttribute('maxlength')");
        await page.GetByLabel("Name").FillAsync(new string('n', 121));
        await page.GetByRole(AriaRole.Button, new() { Name = "Create agent" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "name must be 1 to 120 characters." })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("agent-token")).ToHaveCountAsync(0);
        await Expect(page.GetByText("No agents yet")).ToBeVisibleAsync();
        using var list = await Api.SendAsync(HttpMethod.Get, "/v1/agents", bearer: person.Token);
        Assert.Equal("[]", await list.Content.ReadAsStringAsync());
    }

    private Task<HttpResponseMessage> PostRawAsync(string agentToken, object body) =>
        Api.SendAsync(HttpMethod.Post, "/v1/events", JsonSerializer.Serialize(body), agentToken: agentToken);

    private async Task PostEventAsync(string agentToken, object body) =>
        await AccountsApi.ExpectJsonAsync(await PostRawAsync(agentToken, body), HttpStatusCode.Created);

    private async Task<string> AskAsync(string agentToken, string action, int expiresInSec) =>
        (string)(await AccountsApi.ExpectJsonAsync(await PostRawAsync(agentToken, new
        {
            type = "approval_request", message = $"may I {action}?", requiresApproval = true, proposedAction = action, expiresInSec,
        }), HttpStatusCode.Created))["taskId"]!;

    /// <summary>The agent's pending command that answers <paramref name="taskId"/>, as the agent reads it (`GET /v1/commands`).</summary>
    private async Task<JsonObject> CommandForAsync(string agentToken, string taskId)
    {
        JsonObject? found = null;
        await Eventually.TrueAsync(async () =>
        {
            using var response = await Api.SendAsync(HttpMethod.Get, "/v1/commands", agentToken: agentToken);
            var commands = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsArray();
            found = commands.Select(c => c!.AsObject()).FirstOrDefault(c => (string?)c["sourceTaskId"] == taskId);
            return found is not null;
        }, "the agent's approval_decision command", Long);
        return found!;
    }
}
