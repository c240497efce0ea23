using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace OrbitGrains.Tests.Operations;

/// <summary>The headless silo's own port, as an orchestrator and an operator reading its log meet it, on a real process.</summary>
public sealed partial class HeadlessSiloHealthTests
{
    [Fact]
    public async Task The_health_port_binds_where_configured_answers_health_liveness_and_readiness_and_probes_stay_out_of_the_log_and_serves_metrics()
    {
        using var data = new TempDirectory("silo-health");
        var port = FreePorts.Next();
        // 127.0.0.2 is loopback too, but not 127.0.0.1: proof that HEALTH_HOST, not the default, decides where it listens.
        await using var node = new ProductNode("health-silo", ProductProcess.Assembly("OrbitGrains.Silo"), new Dictionary<string, string>
        {
            ["DATA_DIR"] = data.Path,
            ["HEALTH_HOST"] = "127.0.0.2",
            ["HEALTH_PORT"] = port.ToString(),
            ["ORLEANS_SILO_PORT"] = FreePorts.Next().ToString(),
            ["ORLEANS_GATEWAY_PORT"] = FreePorts.Next().ToString(),
        }, new Uri($"http://127.0.0.2:{port}"));
        node.Start();
        await node.WaitReadyAsync(TimeSpan.FromMinutes(2));

        using var http = new HttpClient { BaseAddress = node.HttpAddress, Timeout = TimeSpan.FromSeconds(10) };
        using var health = JsonDocument.Parse(await http.GetStringAsync("/health"));
        Assert.Equal("ok", health.RootElement.GetProperty("status").GetString());
        Assert.True(health.RootElement.GetProperty("cluster").GetProperty("ready").GetBoolean());
        Assert.Equal(1, health.RootElement.GetProperty("cluster").GetProperty("activeSilos").GetInt32());
        Assert.Equal("healthy", JsonDocument.Parse(await http.GetStringAsync("/healthz")).RootElement.GetProperty("status").GetString());
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/readyz")).StatusCode);
        }

        await Assert.ThrowsAsync<HttpRequestException>(() => new HttpClient().GetAsync($"http://127.0.0.1:{port}/healthz"));

        // The scrape on the same port: the silo's Orleans runtime, and the product's meter registered for its grains.
        var metrics = new PrometheusText(await http.GetStringAsync("/metrics"));
        Assert.True(metrics.Has("orleans_"), metrics.Text);

        // Stopped and exited: everything it will ever log is in hand.
        Assert.Equal(0, await node.StopAsync(TimeSpan.FromSeconds(60)));
        var lines = node.Log.Split('\n').Where(line => !line.StartsWith("---", StringComparison.Ordinal) && line.Trim().Length > 0).ToList();
        Assert.NotEmpty(lines);
        Assert.All(lines.Where(line => !line.StartsWith(' ')), line => Assert.Matches(TimestampPattern(), line));
        Assert.DoesNotContain(lines, line => line.Contains("/readyz", StringComparison.Ordinal) || line.Contains("/healthz", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_health_host_that_is_not_an_address_stops_the_start_with_one_line()
    {
        using var data = new TempDirectory("silo-bad-host");
        var outcome = await ProductProcess.RunToExitAsync("OrbitGrains.Silo",
            new Dictionary<string, string> { ["HEALTH_HOST"] = "every-interface", ["DATA_DIR"] = data.Path }, TimeSpan.FromSeconds(60));
        Assert.Equal(2, outcome.ExitCode);
        Assert.Contains("HEALTH_HOST='every-interface' is not an IP address", outcome.StandardError);
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z ")]
    private static partial Regex TimestampPattern();
}
