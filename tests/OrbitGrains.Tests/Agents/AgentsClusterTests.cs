using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using OrbitGrains.Hosting;
using OrbitGrains.Tests.Accounts;
using Xunit.Abstractions;

namespace OrbitGrains.Tests.Agents;

/// <summary>Two front ends on one PostgreSQL: the live feed and the long-poll cross silos.</summary>
[Collection(PostgresCollection.Name)]
public sealed class AgentsClusterTests(PostgresServer server, ITestOutputHelper output)
{
    private static async Task<(RunningHost A, RunningHost B)> StartTwoAsync(TempDirectory a, TempDirectory b, string database, string serviceId)
    {
        Dictionary<string, string?> Node(string dataDir)
        {
            var configuration = RunningHost.IsolatedConfiguration(dataDir, serviceId);
            configuration["ORLEANS_CLUSTERING"] = "postgres";
            configuration["ConnectionStrings:Postgres"] = database;
            configuration["ADMIN_TOKEN"] = ProductCluster.AdminToken;
            configuration["CODEX_REMOTE_WEB_JWT_SECRET"] = ProductCluster.JwtSecret;
            return configuration;
        }

        var nodeA = await RunningHost.StartFrontEndAsync(Node(a.Path));
        var nodeB = await RunningHost.StartFrontEndAsync(Node(b.Path));
        var readinessA = nodeA.Services.GetRequiredService<SiloReadiness>();
        var readinessB = nodeB.Services.GetRequiredService<SiloReadiness>();
        await Eventually.TrueAsync(() => readinessA.ActiveSilos == 2 && readinessB.ActiveSilos == 2, "both silos see a two-member cluster", TimeSpan.FromSeconds(90));
        return (nodeA, nodeB);
    }

    [Fact]
    public async Task Events_posted_on_either_front_end_reach_the_streams_on_both_and_a_decision_there_wakes_the_long_poll_here()
    {
        using var dataA = new TempDirectory();
        using var dataB = new TempDirectory();
        var database = await server.CreateDatabaseAsync("agentslive");
        var (a, b) = await StartTwoAsync(dataA, dataB, database, $"agents-live-{Guid.NewGuid():N}");
        await using var nodeA = a;
        await using var nodeB = b;
        var onA = new AgentsApi(nodeA.Http);
        var onB = new AgentsApi(nodeB.Http);

        var user = await onA.SignUpAsync();
        var (agent, token) = await onA.CreateAgentAsync(user, "cross-silo");
        // A stream open on each front end; events posted through either reach both, each once and in order.
        using var clientA = onA.ClientOf(user);
        using var clientB = onB.ClientOf(user);
        var (streamA, _) = await onA.OpenStreamAsync(clientA);
        var (streamB, _) = await onB.OpenStreamAsync(clientB);
        await using (streamA)
        await using (streamB)
        {
            var posted = Stopwatch.StartNew();
            await AccountsApi.ExpectJsonAsync(await onA.PostEventAsync(token, new { type = "action", message = "from A" }), HttpStatusCode.Created);
            await AccountsApi.ExpectJsonAsync(await onB.PostEventAsync(token, new { type = "action", message = "from B" }), HttpStatusCode.Created);
            foreach (var stream in new[] { streamA, streamB })
            {
                var frames = await stream.ReadUntilAsync(f => f.Type == "agent_event" && f.Data.GetProperty("data").GetProperty("message").GetString() == "from B");
                Assert.Equal(["from A", "from B"], frames.Where(f => f.Type == "agent_event")
                    .Select(f => f.Data.GetProperty("data").GetProperty("message").GetString()!).ToArray());
                Assert.Equal(Enumerable.Range(0, frames.Count).Select(i => frames[0].Id + i), frames.Select(f => f.Id));
            }

            // Live, not brought by the hubs' renewal (every 30 s), which also fills what live delivery missed.
            Assert.True(posted.Elapsed < WebFrontend.Feeds.UserFeedHub.RenewEvery / 2, $"both streams had both events after {posted.Elapsed}");
        }

        // The agent long-polls front end A; the person decides through front end B.
        var delays = new List<double>();
        for (var round = 0; round < 5; round++)
        {
            var taskId = await onA.AskAsync(token, $"step {round}");
            var answered = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            var listening = Task.Run(async () =>
            {
                var commands = await onA.GetArrayAsync("/v1/commands/listen?timeout=25", agentToken: token);
                answered.SetResult(Stopwatch.GetTimestamp());
                return commands;
            });

            // A round trip through B first, so the listen is most likely waiting when the decision comes.
            await onB.GetAgentAsync(user, (string)agent["id"]!);
            await AccountsApi.ExpectJsonAsync(await onB.DecideAsync(user, taskId), HttpStatusCode.OK);
            var decided = Stopwatch.GetTimestamp();
            var commands = await listening;
            Assert.Contains(taskId, commands.Select(c => (string?)c!["sourceTaskId"]));
            delays.Add(Math.Max(0, Stopwatch.GetElapsedTime(decided, await answered.Task).TotalMilliseconds));
            foreach (var command in commands)
            {
                (await onA.SendAsync(HttpMethod.Post, $"/v1/commands/{command!["id"]}/ack", agentToken: token)).Dispose();
            }
        }

        output.WriteLine($"listen answered after the decision's response: {string.Join(", ", delays.Select(d => $"{d:F1} ms"))}");

        // Generous for a loaded 2-core machine; the figure above is the measurement (target 100 ms).
        Assert.True(delays.Min() < 1000, $"the long-poll wakes promptly: {string.Join(", ", delays)} ms");
    }
}
