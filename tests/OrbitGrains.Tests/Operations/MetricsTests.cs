using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace OrbitGrains.Tests.Operations;

/// <summary>
/// GET /metrics in Prometheus text: on the front end's own port for admins only, or on METRICS_PORT for a scraper;
/// the counters move by exactly what the load did (a real process, so no other test's host adds to them).
/// </summary>
public sealed class MetricsTests
{
    private const string AdminToken = "metrics-test-admin-token-0123456789abcdef";

    [Fact]
    public async Task On_the_metrics_port_the_scrape_counts_sign_ins_sockets_deliveries_jobs_gates_hub_renewals_and_storage_writes()
    {
        using var data = new TempDirectory("metrics");
        var metricsPort = FreePorts.Next();
        await using var node = ProductNode.EmbeddedFrontEnd("metrics-front", data.Path, AdminToken, new Dictionary<string, string>
        {
            ["METRICS_PORT"] = metricsPort.ToString(),
            ["Operator__pipeline__stage_duration_ms"] = "50",
            ["Operator__gates__outline__review"] = "true",
        });
        node.Start();
        await node.WaitReadyAsync(TimeSpan.FromMinutes(2));

        using var api = new HttpClient { BaseAddress = node.HttpAddress, Timeout = TimeSpan.FromSeconds(30) };
        using var scraper = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{metricsPort}"), Timeout = TimeSpan.FromSeconds(30) };

        // The metrics port serves the scrape and nothing else; the product's port does not serve it at all.
        Assert.Equal(HttpStatusCode.NotFound, (await scraper.GetAsync("/health")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await scraper.GetAsync("/api/v1/jobs")).StatusCode);
        using (var admin = new HttpRequestMessage(HttpMethod.Get, "/metrics"))
        {
            admin.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
            Assert.NotEqual(HttpStatusCode.OK, (await api.SendAsync(admin)).StatusCode);
        }

        // Sign-ins: one account, two wrong passwords, one right.
        const string email = "metrics@example.com";
        Assert.Equal(HttpStatusCode.Created, (await api.PostAsJsonAsync("/api/auth/signup", new { email, password = "correct horse" })).StatusCode);
        foreach (var password in new[] { "wrong one", "wrong two", "correct horse" })
        {
            await api.PostAsJsonAsync("/api/auth/login", new { email, password });
        }

        // Sockets and a fan-out: two participants of the legacy room, one message.
        await using var a = await LegacyRoom.ConnectAsync(node.HttpAddress, "/ws?token=demo_token_123");
        await using var b = await LegacyRoom.ConnectAsync(node.HttpAddress, "/ws?token=demo_token_123");
        await a.SendTextAsync("""{"type":"smoke","payload":{"n":1}}""");
        await b.NextOfTypeAsync("smoke");

        // A pipeline job that waits at its first gate, approved.
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        var created = await api.PostAsJsonAsync("/api/v1/jobs", new { slug = "metrics", intent = "Count me", brief = "short" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        await Eventually.TrueAsync(async () =>
        {
            var job = await api.GetFromJsonAsync<JsonElement>($"/api/v1/jobs/{id}");
            return job.GetProperty("status").GetString() == "needs_approval" && job.GetProperty("current_stage").GetString() == "outline";
        }, "the job waits at the outline gate");
        Assert.Equal(HttpStatusCode.OK, (await api.PostAsJsonAsync($"/api/v1/jobs/{id}/approve", new { stage = "outline" })).StatusCode);

        PrometheusText scrape = new("");
        await Eventually.TrueAsync(async () =>
        {
            using var response = await scraper.GetAsync("/metrics");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType);
            scrape = new PrometheusText(await response.Content.ReadAsStringAsync());
            return scrape.Sum("orbitgrains_pipeline_gate_wait_seconds_count", "outcome=\"approved\"") >= 1
                && scrape.Sum("orbitgrains_socket_deliveries_total", "family=\"rooms\"") >= 1
                && scrape.Sum("orbitgrains_hub_renewal_duration_seconds_count", "family=\"relay\"") >= 1
                && scrape.Sum("orbitgrains_hub_renewal_duration_seconds_count", "family=\"rooms\"") >= 1;
        }, "the scrape shows the gate decision, the fan-out and a lease renewal of each socket hub");

        Assert.Equal(3, scrape.Sum("orbitgrains_accounts_signin_attempts_total", "credential=\"password\"", "outcome=\"checked\""));
        Assert.Equal(0, scrape.Sum("orbitgrains_accounts_signin_attempts_total", "outcome=\"throttled\""));
        Assert.Equal(1, scrape.Sum("orbitgrains_accounts_signins_total", "credential=\"password\""));
        Assert.Equal(2, scrape.Sum("orbitgrains_socket_open", "family=\"rooms\""));
        // a's message to b: the legacy room says nothing of arrivals.
        Assert.Equal(1, scrape.Sum("orbitgrains_socket_deliveries_total", "family=\"rooms\""));
        Assert.Equal(1, scrape.Sum("orbitgrains_pipeline_gate_wait_seconds_count", "outcome=\"approved\""));
        // At least the approved gate; the job runs on and may already wait at its next one.
        Assert.True(scrape.Sum("orbitgrains_pipeline_jobs_total", "status=\"needs_approval\"") >= 1, scrape.Text);
        Assert.True(scrape.Sum("orbitgrains_pipeline_jobs_total", "status=\"running\"") >= 1, scrape.Text);
        // A renewal is one small grain call per period, whatever the sockets do: far below its 5 s period.
        Assert.InRange(scrape.Sum("orbitgrains_hub_renewal_duration_seconds_sum", "family=\"relay\"")
            / scrape.Sum("orbitgrains_hub_renewal_duration_seconds_count", "family=\"relay\""), 0, 5);
        Assert.True(scrape.Has("orleans_storage_write_latency"), "Orleans' storage write latency");
        Assert.True(scrape.Has("http_server_request_duration_seconds"), "ASP.NET Core's request duration");
        Assert.True(scrape.Has("kestrel_"), "Kestrel's connections");
        Assert.True(scrape.Has("orleans_"), "Orleans' runtime");
        // Kestrel's memory pool counts every block it rents: on a busy socket that is hundreds of thousands of counter
        // updates a second, so the product does not collect them.
        Assert.False(scrape.Has("aspnetcore_memory_pool"), "Kestrel's memory pool counters are dropped");
    }

    [Fact]
    public async Task Without_a_metrics_port_the_front_end_serves_metrics_to_admins_only_and_leaves_it_out_of_openapi()
    {
        using var data = new TempDirectory("metrics-admin");
        var configuration = RunningHost.IsolatedConfiguration(data.Path, "metrics-admin");
        configuration["ADMIN_TOKEN"] = AdminToken;
        configuration["CODEX_REMOTE_WEB_JWT_SECRET"] = "metrics-test-jwt-secret-0123456789abcdefghij";
        await using var host = await RunningHost.StartFrontEndAsync(configuration);

        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Http.GetAsync("/metrics")).StatusCode);
        using (var wrong = new HttpRequestMessage(HttpMethod.Get, "/metrics"))
        {
            wrong.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "not-the-admin-token");
            Assert.Equal(HttpStatusCode.Unauthorized, (await host.Http.SendAsync(wrong)).StatusCode);
        }

        using var admin = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        admin.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        using var response = await host.Http.SendAsync(admin);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(new PrometheusText(await response.Content.ReadAsStringAsync()).Has("orleans_"));

        var openApi = await host.Http.GetStringAsync("/openapi/v1.json");
        Assert.DoesNotContain("\"/metrics\"", openApi);
    }
}
