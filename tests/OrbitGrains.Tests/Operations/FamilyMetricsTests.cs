using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using OrbitGrains.Tests.Agents;
using OrbitGrains.Tests.Cloud;

namespace OrbitGrains.Tests.Operations;

/// <summary>
/// The Cloud and Agents families' own instruments in the scrape: instance launches and status changes, open proxy
/// sockets, agent events by type and inbox decisions, each moved by exactly what the test did (a real process, so no
/// other test's host adds to them).
/// </summary>
public sealed class FamilyMetricsTests
{
    private const string AdminToken = "family-metrics-admin-token-0123456789abcdef";

    [Fact]
    public async Task The_scrape_counts_instance_changes_open_proxies_agent_events_and_decisions()
    {
        using var data = new TempDirectory("family-metrics");
        using var vnc = new TcpListener(IPAddress.Loopback, 0);
        vnc.Start();
        var metricsPort = FreePorts.Next();
        await using var node = ProductNode.EmbeddedFrontEnd("family-metrics", data.Path, AdminToken, new Dictionary<string, string>
        {
            ["METRICS_PORT"] = metricsPort.ToString(),
            ["LOCAL_DEV_MODE"] = "true",
            ["LOCAL_VNC_ADDRESS"] = $"127.0.0.1:{((IPEndPoint)vnc.LocalEndpoint).Port}",
            ["CLOUD_POLL_SEC"] = "1",
        });
        node.Start();
        await node.WaitReadyAsync(TimeSpan.FromMinutes(2));
        using var http = new HttpClient { BaseAddress = node.HttpAddress, Timeout = TimeSpan.FromSeconds(30) };
        using var scraper = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{metricsPort}"), Timeout = TimeSpan.FromSeconds(30) };
        async Task<PrometheusText> ScrapeAsync() => new(await scraper.GetStringAsync("/metrics"));

        // Cloud: one instance, a VNC proxy open on it, then stopped.
        var cloud = new CloudApi(http);
        var person = await cloud.SignUpAsync();
        var id = (string)(await cloud.CreateAsync(person))["id"]!;
        await Eventually.TrueAsync(async () => await cloud.StatusAsync(person, id) == "running", "the instance runs");
        using (var viewer = new ClientWebSocket())
        {
            viewer.Options.AddSubProtocol("binary");
            await viewer.ConnectAsync(new Uri($"ws://{node.HttpAddress.Authority}/api/instances/{id}/vnc?token={person}"), CancellationToken.None);
            using var desktop = await vnc.AcceptTcpClientAsync();
            await Eventually.TrueAsync(async () => (await ScrapeAsync()).Sum("orbitgrains_socket_open", "family=\"cloud\"", "kind=\"vnc\"") == 1,
                "the open VNC proxy is counted");
            await viewer.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        }

        await Eventually.TrueAsync(async () => (await ScrapeAsync()).Sum("orbitgrains_socket_open", "family=\"cloud\"", "kind=\"vnc\"") == 0,
            "the closed proxy is no longer counted");
        Assert.Equal(HttpStatusCode.OK, (await cloud.SendAsync(HttpMethod.Post, $"/api/instances/{id}/stop", bearer: person)).StatusCode);
        await Eventually.TrueAsync(async () => await cloud.StatusAsync(person, id) == "stopped", "the instance stops");

        // Agents: two events of two types, one approval decided, and a second decision of it refused (not counted).
        var agents = new AgentsApi(http);
        var user = await agents.SignUpAsync();
        var (_, agentToken) = await agents.CreateAgentAsync(user);
        Assert.Equal(HttpStatusCode.Created, (await agents.PostEventAsync(agentToken, new { type = "action", message = "looked around" })).StatusCode);
        var task = await agents.AskAsync(agentToken, "deploy");
        Assert.Equal(HttpStatusCode.OK, (await agents.DecideAsync(user, task)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await agents.DecideAsync(user, task, "rejected")).StatusCode);

        var scrape = await ScrapeAsync();
        Assert.Equal(1, scrape.Sum("orbitgrains_cloud_launches_total"));
        Assert.Equal(1, scrape.Sum("orbitgrains_cloud_status_changes_total", "status=\"running\""));
        Assert.Equal(1, scrape.Sum("orbitgrains_cloud_status_changes_total", "status=\"stopping\""));
        Assert.Equal(1, scrape.Sum("orbitgrains_cloud_status_changes_total", "status=\"stopped\""));
        Assert.Equal(1, scrape.Sum("orbitgrains_agents_events_total", "type=\"action\""));
        Assert.Equal(1, scrape.Sum("orbitgrains_agents_events_total", "type=\"approval_request\""));
        Assert.Equal(1, scrape.Sum("orbitgrains_agents_decisions_total", "decision=\"approved\""));
        Assert.Equal(0, scrape.Sum("orbitgrains_agents_decisions_total", "decision=\"rejected\""));
    }
}
