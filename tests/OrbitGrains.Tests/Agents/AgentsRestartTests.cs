using System.Net;
using OrbitGrains.Tests.Accounts;

namespace OrbitGrains.Tests.Agents;

public sealed class AgentsRestartTests : IDisposable
{
    private readonly TempDirectory _data = new("orbit-agents-restart");

    [Fact]
    public async Task Agents_tokens_events_inbox_commands_spend_and_budget_survive_a_restart_of_the_embedded_host()
    {
        var serviceId = $"restart-{Guid.NewGuid():N}";
        string user, live, revoked, agentId, decidedTask, pendingTask, eventId;

        await using (var before = await RunningHost.StartFrontEndAsync(RunningHost.IsolatedConfiguration(_data.Path, serviceId)))
        {
            var agents = new AgentsApi(before.Http);
            user = await agents.SignUpAsync();
            var (agent, token) = await agents.CreateAgentAsync(user, "survivor");
            agentId = (string)agent["id"]!;
            live = token;
            var (gone, goneToken) = await agents.CreateAgentAsync(user, "gone");
            revoked = goneToken;
            (await agents.SendAsync(HttpMethod.Post, $"/v1/agents/{gone["id"]}/revoke-token", bearer: user)).Dispose();

            eventId = (string)(await AccountsApi.ExpectJsonAsync(await agents.PostEventAsync(live, new { type = "action", message = "m", cost = 2.5 }), HttpStatusCode.Created))["event"]!["id"]!;
            decidedTask = (string)(await AccountsApi.ExpectJsonAsync(await agents.PostEventAsync(live, new { type = "approval_request", message = "a", requiresApproval = true }), HttpStatusCode.Created))["taskId"]!;
            pendingTask = (string)(await AccountsApi.ExpectJsonAsync(await agents.PostEventAsync(live, new { type = "approval_request", message = "b", requiresApproval = true }), HttpStatusCode.Created))["taskId"]!;
            await AccountsApi.ExpectJsonAsync(await agents.SendAsync(HttpMethod.Post, $"/v1/inbox/{decidedTask}/decision", "{\"decision\":\"approved\"}", bearer: user), HttpStatusCode.OK);
            await AccountsApi.ExpectJsonAsync(await agents.SendAsync(HttpMethod.Patch, "/v1/spend/budget", "{\"budget\":40}", bearer: user), HttpStatusCode.OK);
        }

        await using var after = await RunningHost.StartFrontEndAsync(RunningHost.IsolatedConfiguration(_data.Path, serviceId));
        var again = new AgentsApi(after.Http);
        var restored = await again.GetAgentAsync(user, agentId);
        Assert.Equal(3, (long)restored["eventsCount"]!);
        Assert.Equal(2.5m, (decimal)restored["totalSpend"]!);
        Assert.Equal("waiting_approval", (string?)restored["status"]);
        Assert.Equal(AgentsApi.Masked(live), (string?)restored["tokenHash"]);
        Assert.Equal(2, (await again.GetArrayAsync("/v1/agents", bearer: user)).Count);
        Assert.Contains(eventId, (await again.GetArrayAsync($"/v1/agents/{agentId}/events", bearer: user)).Select(e => (string)e!["id"]!));

        Assert.Equal(pendingTask, (string?)Assert.Single(await again.GetArrayAsync("/v1/inbox?status=pending", bearer: user))!["id"]);
        await AgentsApi.ExpectDetailAsync(await again.SendAsync(HttpMethod.Post, $"/v1/inbox/{decidedTask}/decision", "{\"decision\":\"rejected\"}", bearer: user),
            HttpStatusCode.BadRequest, "Inbox item already decided.");
        Assert.Equal(decidedTask, (string?)Assert.Single(await again.GetArrayAsync("/v1/commands", agentToken: live))!["sourceTaskId"]);
        var spend = await AccountsApi.ExpectJsonAsync(await again.SendAsync(HttpMethod.Get, "/v1/spend", bearer: user), HttpStatusCode.OK);
        Assert.Equal(40m, (decimal)spend["budget"]!);
        Assert.Equal(2.5m, (decimal)spend["monthly"]!);
        await AgentsApi.ExpectDetailAsync(await again.SendAsync(HttpMethod.Get, "/v1/commands", agentToken: revoked), HttpStatusCode.Unauthorized, "Invalid or revoked agent token.");
    }

    [Fact]
    public async Task An_item_that_expires_while_the_host_is_down_is_rejected_after_the_restart()
    {
        var serviceId = $"expiry-{Guid.NewGuid():N}";
        var configuration = RunningHost.IsolatedConfiguration(_data.Path, serviceId);
        configuration["Orleans:MinimumReminderPeriod"] = "00:00:01";
        string user, token, taskId;
        await using (var before = await RunningHost.StartFrontEndAsync(configuration))
        {
            var agents = new AgentsApi(before.Http);
            user = await agents.SignUpAsync();
            (_, token) = await agents.CreateAgentAsync(user, "short-lived");
            taskId = await agents.AskAsync(token, "hurry", expiresInSec: 3);
            Assert.Equal(taskId, (string?)Assert.Single(await agents.GetArrayAsync("/v1/inbox?status=pending", bearer: user))!["id"]);
        }

        await using var after = await RunningHost.StartFrontEndAsync(configuration);
        var again = new AgentsApi(after.Http);
        await Eventually.TrueAsync(async () => (await again.GetArrayAsync("/v1/inbox?status=rejected", bearer: user)).Count == 1,
            "the item expires after the restart", TimeSpan.FromSeconds(90));
        Assert.Equal("expired", (string?)Assert.Single(await again.GetArrayAsync("/v1/inbox?status=rejected", bearer: user))!["comment"]);
        Assert.Equal(taskId, (string?)Assert.Single(await again.GetArrayAsync("/v1/commands", agentToken: token))!["sourceTaskId"]);
    }

    public void Dispose() => _data.Dispose();
}
