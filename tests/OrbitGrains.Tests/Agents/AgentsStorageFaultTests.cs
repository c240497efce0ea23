using System.Net;
using OrbitGrains.Tests.Accounts;
using OrbitGrains.WebFrontend.Hosting;

namespace OrbitGrains.Tests.Agents;

/// <summary>
/// Storage that fails under a decision, injected in a real PostgreSQL (<see cref="PostgresWriteFaults"/>): when the
/// agent's own write fails, nothing of the decision exists (the item stays pending, no command, the status unchanged)
/// and it can be made again; when only the command queue's write fails, the decision stands and its command reaches
/// the agent exactly once, at its next read. An event's own write and its workspace's spend count run side by side,
/// and a count that fails is made again; one that fails twice leaves the stored event answered as stored and its spend
/// owed to the agent's next batch. A batch whose event page fails to seal leaves none of its events, and the next
/// batch seals that page.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class AgentsStorageFaultTests(PostgresServer server)
{
    private async Task<(RunningHost Host, string Database)> StartAsync(string dataDir, string name)
    {
        var database = await server.CreateDatabaseAsync(name);
        return (await StartOnAsync(dataDir, $"{name}-{Guid.NewGuid():N}", database), database);
    }

    /// <summary>A front end on an existing database; the same <paramref name="serviceId"/> again is a restart (it finds the stored grains).</summary>
    private static Task<RunningHost> StartOnAsync(string dataDir, string serviceId, string database)
    {
        var configuration = RunningHost.IsolatedConfiguration(dataDir, serviceId);
        configuration["ORLEANS_CLUSTERING"] = "postgres";
        configuration["ConnectionStrings:Postgres"] = database;
        configuration["ADMIN_TOKEN"] = ProductCluster.AdminToken;
        configuration["CODEX_REMOTE_WEB_JWT_SECRET"] = ProductCluster.JwtSecret;
        return RunningHost.StartFrontEndAsync(configuration);
    }

    [Fact]
    public async Task A_decision_whose_agent_write_fails_leaves_nothing_and_can_be_made_again()
    {
        using var data = new TempDirectory("agents-fault");
        var (host, database) = await StartAsync(data.Path, "agentwritefault");
        await using var _ = host;
        var agents = new AgentsApi(host.Http);
        var user = await agents.SignUpAsync();
        var (agent, token) = await agents.CreateAgentAsync(user, "faulty");
        var agentId = (string)agent["id"]!;
        var taskId = await agents.AskAsync(token, "deploy");

        var faults = await PostgresWriteFaults.InstallAsync(database, "agent:%");
        await faults.FailNextAsync(1);
        using (var failed = await agents.DecideAsync(user, taskId))
        {
            // A failed store is the cluster's storage unavailable: 503 with Retry-After, and a message that says so.
            Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
            Assert.NotNull(failed.Headers.RetryAfter);
            var problem = System.Text.Json.Nodes.JsonNode.Parse(await failed.Content.ReadAsStringAsync())!;
            Assert.Equal(ClusterUnavailable.Message, (string?)problem["detail"]);
            Assert.Contains("storage", (string?)problem["detail"]);
        }

        Assert.Equal(1, await faults.AttemptsAsync());
        Assert.Equal(taskId, (string?)Assert.Single(await agents.GetArrayAsync("/v1/inbox?status=pending", bearer: user))!["id"]);
        Assert.Equal("waiting_approval", (string?)(await agents.GetAgentAsync(user, agentId))["status"]);
        Assert.Empty(await agents.GetArrayAsync("/v1/commands", agentToken: token));

        await AccountsApi.ExpectJsonAsync(await agents.DecideAsync(user, taskId, "rejected"), HttpStatusCode.OK);
        var command = Assert.Single(await agents.GetArrayAsync("/v1/commands", agentToken: token))!;
        Assert.Equal("rejected", (string?)command["payload"]!["decision"]);
        Assert.Equal("running", (string?)(await agents.GetAgentAsync(user, agentId))["status"]);
    }

    [Fact]
    public async Task A_decision_whose_queue_write_fails_stands_and_its_command_reaches_the_agent_once()
    {
        using var data = new TempDirectory("agents-fault");
        var (host, database) = await StartAsync(data.Path, "queuewritefault");
        await using var _ = host;
        var agents = new AgentsApi(host.Http);
        var user = await agents.SignUpAsync();
        var (agent, token) = await agents.CreateAgentAsync(user, "faulty");
        var taskId = await agents.AskAsync(token, "deploy");

        var faults = await PostgresWriteFaults.InstallAsync(database, "agent-commands:%");
        await faults.FailNextAsync(1);
        await AccountsApi.ExpectJsonAsync(await agents.DecideAsync(user, taskId), HttpStatusCode.OK);
        Assert.Equal(1, await faults.AttemptsAsync());
        Assert.Equal("running", (string?)(await agents.GetAgentAsync(user, (string)agent["id"]!))["status"]);
        await AgentsApi.ExpectDetailAsync(await agents.DecideAsync(user, taskId, "rejected"), HttpStatusCode.BadRequest, "Inbox item already decided.");

        // The read hands the stored command over again, and this time the queue stores it: once.
        var command = Assert.Single(await agents.GetArrayAsync("/v1/commands", agentToken: token))!;
        Assert.Equal(taskId, (string?)command["sourceTaskId"]);
        Assert.Equal(2, await faults.AttemptsAsync());
        Assert.Single(await agents.GetArrayAsync("/v1/commands", agentToken: token));
    }
    [Fact]
    public async Task An_event_is_stored_while_its_workspace_counts_it_and_acknowledged_only_after_both()
    {
        using var data = new TempDirectory("agents-fault");
        var (host, database) = await StartAsync(data.Path, "spendoverlap");
        await using var _ = host;
        var agents = new AgentsApi(host.Http);
        var user = await agents.SignUpAsync();
        var (agent, token) = await agents.CreateAgentAsync(user, "overlapping");

        await using var hold = await PostgresWriteHold.HoldAsync(database, "workspace:%");
        var before = await hold.VersionsAsync("agent:%");
        var posting = agents.PostEventAsync(token, new { type = "action", message = "work", cost = 2m });

        // The agent's write lands while the workspace's count is held: the two writes overlap, not one after the other.
        await Eventually.TrueAsync(async () => await hold.VersionsAsync("agent:%") > before, "the agent's write while the workspace's waits");
        Assert.False(posting.IsCompleted, "the event was acknowledged before its spend was counted");

        await hold.ReleaseAsync();
        await AccountsApi.ExpectJsonAsync(await posting, HttpStatusCode.Created);
        Assert.Equal(1, (long)(await agents.GetAgentAsync(user, (string)agent["id"]!))["eventsCount"]!);
        var spend = await AccountsApi.ExpectJsonAsync(await agents.SendAsync(HttpMethod.Get, "/v1/spend", bearer: user), HttpStatusCode.OK);
        Assert.Equal(2m, (decimal)spend["monthly"]!);
    }

    [Fact]
    public async Task An_event_whose_spend_count_fails_once_is_counted_again_and_acknowledged_once()
    {
        using var data = new TempDirectory("agents-fault");
        var (host, database) = await StartAsync(data.Path, "spendfault");
        await using var _ = host;
        var agents = new AgentsApi(host.Http);
        var user = await agents.SignUpAsync();
        var (agent, token) = await agents.CreateAgentAsync(user, "faulty");

        var faults = await PostgresWriteFaults.InstallAsync(database, "workspace:%");
        await faults.FailNextAsync(1);
        await AccountsApi.ExpectJsonAsync(await agents.PostEventAsync(token, new { type = "action", message = "work", cost = 3m }), HttpStatusCode.Created);
        Assert.Equal(2, await faults.AttemptsAsync());

        // Stored once, counted once: the second count took back what the failed one had added in memory.
        Assert.Equal(1, (long)(await agents.GetAgentAsync(user, (string)agent["id"]!))["eventsCount"]!);
        var spend = await AccountsApi.ExpectJsonAsync(await agents.SendAsync(HttpMethod.Get, "/v1/spend", bearer: user), HttpStatusCode.OK);
        Assert.Equal(3m, (decimal)spend["monthly"]!);
        await AccountsApi.ExpectJsonAsync(await agents.PostEventAsync(token, new { type = "action", message = "more", cost = 1m }), HttpStatusCode.Created);
        spend = await AccountsApi.ExpectJsonAsync(await agents.SendAsync(HttpMethod.Get, "/v1/spend", bearer: user), HttpStatusCode.OK);
        Assert.Equal(4m, (decimal)spend["monthly"]!);
    }

    [Fact]
    public async Task An_event_whose_spend_count_fails_twice_is_answered_as_stored_and_counted_with_the_next_batch_after_a_restart()
    {
        using var data = new TempDirectory("agents-fault");
        var database = await server.CreateDatabaseAsync("spendowed");
        var serviceId = $"spendowed-{Guid.NewGuid():N}";
        string user, token, agentId;
        await using (var host = await StartOnAsync(data.Path, serviceId, database))
        {
            var agents = new AgentsApi(host.Http);
            user = await agents.SignUpAsync();
            var (agent, agentToken) = await agents.CreateAgentAsync(user, "owing");
            (token, agentId) = (agentToken, (string)agent["id"]!);

            var faults = await PostgresWriteFaults.InstallAsync(database, "workspace:%");
            await faults.FailNextAsync(2);
            // Stored, so 201: an error here would make the client send the event again and have it stored twice.
            await AccountsApi.ExpectJsonAsync(await agents.PostEventAsync(token, new { type = "action", message = "work", cost = 3m }), HttpStatusCode.Created);
            Assert.Equal(2, await faults.AttemptsAsync());
            Assert.Equal(1, (long)(await agents.GetAgentAsync(user, agentId))["eventsCount"]!);
        }

        // The workspace's memory of the failed counts went with the host: only the agent's stored state still owes the 3.
        await using var after = await StartOnAsync(data.Path, serviceId, database);
        var again = new AgentsApi(after.Http);
        await AccountsApi.ExpectJsonAsync(await again.PostEventAsync(token, new { type = "action", message = "more", cost = 1m }), HttpStatusCode.Created);
        Assert.Equal(2, (long)(await again.GetAgentAsync(user, agentId))["eventsCount"]!);
        var spend = await AccountsApi.ExpectJsonAsync(await again.SendAsync(HttpMethod.Get, "/v1/spend", bearer: user), HttpStatusCode.OK);
        Assert.Equal(4m, (decimal)spend["monthly"]!);
    }

    [Fact]
    public async Task A_batch_whose_event_page_cannot_be_sealed_leaves_none_of_its_events_and_the_next_batch_seals_the_page()
    {
        using var data = new TempDirectory("agents-fault");
        var (host, database) = await StartAsync(data.Path, "sealfault");
        await using var _ = host;
        var agents = new AgentsApi(host.Http);
        var user = await agents.SignUpAsync();
        var (agent, token) = await agents.CreateAgentAsync(user, "faulty");
        var agentId = (string)agent["id"]!;
        for (var i = 1; i < 25; i++)
        {
            await AccountsApi.ExpectJsonAsync(await agents.PostEventAsync(token, new { type = "action", message = $"e{i}", cost = 1 }), HttpStatusCode.Created);
        }

        // The 25th event fills the open page, which is sealed into its own grain before the agent's write.
        var faults = await PostgresWriteFaults.InstallAsync(database, "page:%");
        await faults.FailNextAsync(1);
        using (var failed = await agents.PostEventAsync(token, new { type = "action", message = "lost", cost = 1 }))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        }

        Assert.Equal(1, await faults.AttemptsAsync());
        var listed = await agents.GetArrayAsync($"/v1/agents/{agentId}/events?limit=500", bearer: user);
        Assert.Equal(24, listed.Count);
        Assert.DoesNotContain("lost", listed.Select(e => (string)e!["message"]!));
        Assert.Equal(24, (long)(await agents.GetAgentAsync(user, agentId))["eventsCount"]!);

        await AccountsApi.ExpectJsonAsync(await agents.PostEventAsync(token, new { type = "action", message = "kept", cost = 1 }), HttpStatusCode.Created);
        Assert.Equal(2, await faults.AttemptsAsync());
        listed = await agents.GetArrayAsync($"/v1/agents/{agentId}/events?limit=500", bearer: user);
        Assert.Equal(["kept", .. Enumerable.Range(1, 24).Reverse().Select(i => $"e{i}")], listed.Select(e => (string)e!["message"]!));
        var stored = await agents.GetAgentAsync(user, agentId);
        Assert.Equal(25, (long)stored["eventsCount"]!);
        Assert.Equal(25m, (decimal)stored["totalSpend"]!);
    }
}
