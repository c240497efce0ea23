using System.Net.Http.Headers;

namespace OrbitGrains.Tests.Operations.Chaos;

/// <summary>Scrapes `/metrics` of every node (front ends with the admin token, the headless silo on its health port) and sums them.</summary>
public sealed class MetricsProbe(IReadOnlyList<ProductNode> nodes, string adminToken)
{
    /// <summary>The product's counters the load moves, as (name, labels) pairs.</summary>
    public static readonly (string Name, string Label)[] Counters =
    [
        ("orbitgrains_accounts_signins_total", ""),
        ("orbitgrains_socket_deliveries_total", "family=\"relay\""),
        ("orbitgrains_socket_deliveries_total", "family=\"rooms\""),
        ("orbitgrains_rooms_estops_total", ""),
        ("orbitgrains_pipeline_jobs_total", "status=\"running\""),
        ("orbitgrains_pipeline_gate_wait_seconds_count", "outcome=\"approved\""),
        ("orbitgrains_pipeline_gate_wait_seconds_count", "outcome=\"auto_approved\""),
    ];

    public async Task<Dictionary<string, double>> ScrapeAsync()
    {
        var sums = Counters.ToDictionary(Key, _ => 0.0);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        foreach (var node in nodes)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(node.HttpAddress, "/metrics"));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
            using var response = await http.SendAsync(request);
            response.EnsureSuccessStatusCode();
            var text = new PrometheusText(await response.Content.ReadAsStringAsync());
            foreach (var counter in Counters)
            {
                sums[Key(counter)] += counter.Label.Length == 0 ? text.Sum(counter.Name) : text.Sum(counter.Name, counter.Label);
            }
        }

        return sums;
    }

    public static string Key((string Name, string Label) counter) => counter.Label.Length == 0 ? counter.Name : $"{counter.Name}{{{counter.Label}}}";
}
