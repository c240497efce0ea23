using System.Collections.Concurrent;
using System.Net;
using OrbitGrains.Tests.Accounts;
using OrbitGrains.Tests.Agents;

namespace OrbitGrains.Tests.Storage;

/// <summary>
/// The embedded product as a real process, SIGKILLed while agents post events as fast as it takes them: every event
/// it acknowledged (201, answered only after the group commit that holds it) is there after the restart.
/// </summary>
public sealed class GroupCommitCrashTests
{
    private const string AdminToken = "group-commit-crash-admin-token-0123456789";
    private const int Agents = 8;
    private const int WindowPerAgent = 4;

    // Below the events list's largest page (500), so one request shows every event of an agent.
    private const int MaxEventsPerAgent = 400;

    [Fact]
    public async Task Every_event_acknowledged_before_a_SIGKILL_under_write_load_is_there_after_the_restart()
    {
        using var data = new TempDirectory("group-commit-crash");
        await using var node = ProductNode.EmbeddedFrontEnd("crash-front", data.Path, AdminToken, new Dictionary<string, string>
        {
            ["ANONYMOUS_CREATIONS_PER_ADDRESS"] = "1000",
        });
        node.Start();
        await node.WaitReadyAsync(TimeSpan.FromMinutes(2));
        using var http = new HttpClient { BaseAddress = node.HttpAddress, Timeout = TimeSpan.FromSeconds(60) };
        var api = new AgentsApi(http);
        var user = await api.SignUpAsync();
        var agents = new List<(string Id, string Token)>();
        for (var i = 0; i < Agents; i++)
        {
            var (agent, token) = await api.CreateAgentAsync(user, $"loader-{i}");
            agents.Add(((string)agent["id"]!, token));
        }

        var acknowledged = agents.ToDictionary(a => a.Id, _ => new ConcurrentBag<string>());
        var sent = agents.ToDictionary(a => a.Id, _ => 0);
        using var stop = new CancellationTokenSource();
        var loaders = agents.SelectMany(agent => Enumerable.Range(0, WindowPerAgent).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                lock (sent)
                {
                    if (sent[agent.Id] >= MaxEventsPerAgent)
                    {
                        return;
                    }

                    sent[agent.Id]++;
                }

                try
                {
                    using var response = await api.PostEventAsync(agent.Token, new { type = "action", message = "under load" });
                    if (response.StatusCode != HttpStatusCode.Created)
                    {
                        continue;
                    }

                    var body = await AccountsApi.ExpectJsonAsync(response, HttpStatusCode.Created);
                    acknowledged[agent.Id].Add((string)body["event"]!["id"]!);
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
                {
                    // The node is gone (or going): what it did not acknowledge may or may not be stored.
                    return;
                }
            }
        }))).ToList();

        await Eventually.TrueAsync(() => acknowledged.Values.Sum(a => a.Count) >= 600,
            "the node acknowledged events under load", TimeSpan.FromMinutes(3));
        await node.KillAsync();
        stop.Cancel();
        await Task.WhenAll(loaders);
        var total = acknowledged.Values.Sum(a => a.Count);
        Assert.True(total < Agents * MaxEventsPerAgent, "the kill came while events were still being posted");

        node.Start();
        await node.WaitReadyAsync(TimeSpan.FromMinutes(2));
        foreach (var (id, _) in agents)
        {
            var stored = (await api.GetArrayAsync($"/v1/agents/{id}/events?limit=500", bearer: user)).Select(e => (string)e!["id"]!).ToHashSet();
            var missing = acknowledged[id].Where(e => !stored.Contains(e)).ToList();
            Assert.True(missing.Count == 0, $"agent {id}: {missing.Count} of {acknowledged[id].Count} acknowledged events are missing after the restart\n{node.Tail()}");
            Assert.True((long)(await api.GetAgentAsync(user, id))["eventsCount"]! >= acknowledged[id].Count, $"agent {id} counts its acknowledged events");
        }
    }
}
