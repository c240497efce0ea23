using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using OrbitGrains.Tests.Accounts;

namespace OrbitGrains.Tests.Cloud;

/// <summary>
/// The Cloud family on a PostgreSQL cluster of real processes, their EC2 the in-test <see cref="FakeEc2"/> through the
/// real SDK: the quota holds across front ends, and a launch in flight finishes after the silo that held its instance
/// grain is killed (SIGKILL), brought back on a survivor by its reminder.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class CloudClusterTests(PostgresServer server, Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly TimeSpan Ready = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task Ten_creates_spread_over_two_front_ends_make_exactly_the_quota_of_instances()
    {
        await using var ec2 = await FakeEc2.StartAsync();
        await using var cluster = new ProductCluster(await server.CreateDatabaseAsync("cloudquota"), $"cloudquota{Guid.NewGuid():N}"[..24]);
        var a = cluster.AddFrontEnd("quota-a", Settings(ec2));
        var b = cluster.AddFrontEnd("quota-b", Settings(ec2));
        a.Start();
        b.Start();
        await a.WaitReadyAsync(Ready);
        await b.WaitReadyAsync(Ready);
        using var httpA = Http(a);
        using var httpB = Http(b);
        var apiA = new CloudApi(httpA);
        var apiB = new CloudApi(httpB);

        var user = await apiA.SignUpAsync();
        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => (i % 2 == 0 ? apiA : apiB).PostAsync("/api/instances", new { }, user)));

        Assert.Equal(2, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        foreach (var refused in responses.Where(r => r.StatusCode != HttpStatusCode.Created))
        {
            await CloudApi.ExpectDetailAsync(refused, HttpStatusCode.BadRequest, "Maximum 2 active instances allowed");
        }

        // Both front ends see the same two, and EC2 has exactly two for this user.
        var listedA = (await apiA.ListAsync(user)).Select(i => (string)i!["id"]!).Order().ToArray();
        var listedB = (await apiB.ListAsync(user)).Select(i => (string)i!["id"]!).Order().ToArray();
        Assert.Equal(2, listedA.Length);
        Assert.Equal(listedA, listedB);
        Assert.Equal(listedA, ec2.Instances.Select(i => i.Tags.GetValueOrDefault("OrbitInstanceId")).Where(listedA.Contains).Order().ToArray());
        Assert.Equal(2, ec2.Instances.Count);
    }

    [Fact]
    public async Task A_launch_in_flight_finishes_after_the_silo_holding_its_instance_grain_is_killed()
    {
        await using var ec2 = await FakeEc2.StartAsync();
        ec2.AutoAdvance = false;
        await using var cluster = new ProductCluster(await server.CreateDatabaseAsync("cloudcrash"), $"cloudcrash{Guid.NewGuid():N}"[..24]);
        var nodes = new[]
        {
            cluster.AddFrontEnd("crash-a", Settings(ec2)),
            cluster.AddFrontEnd("crash-b", Settings(ec2)),
            cluster.AddHeadless("crash-silo", Settings(ec2)),
        };
        foreach (var node in nodes)
        {
            node.Start();
        }

        foreach (var node in nodes)
        {
            await node.WaitReadyAsync(Ready);
        }

        string user, id, providerId;
        using (var http = Http(nodes[0]))
        {
            var api = new CloudApi(http);
            user = await api.SignUpAsync();
            var created = await api.CreateAsync(user);
            id = (string)created["id"]!;
            providerId = (string)created["ec2_instance_id"]!;
            Assert.Equal("launching", (string?)created["status"]);
        }

        // Wherever the cluster placed the instance grain: its silo's own metrics count the activation.
        ProductNode? holder = null;
        await Eventually.TrueAsync(async () =>
        {
            var holding = new List<ProductNode>();
            foreach (var node in nodes)
            {
                if (await InstanceGrainsOnAsync(node) > 0)
                {
                    holding.Add(node);
                }
            }

            holder = holding.Count == 1 ? holding[0] : null;
            return holder is not null;
        }, "one node reports the instance grain's activation", TimeSpan.FromSeconds(60));
        output.WriteLine($"the instance grain is on {holder!.Name}");

        var describesBefore = ec2.Count("DescribeInstances");
        await holder.KillAsync();
        var killedAt = DateTimeOffset.UtcNow;
        ec2.AutoAdvance = true;

        // Nothing calls the instance: only its reminder, on a surviving silo, can bring it back to ask EC2 again.
        await Eventually.TrueAsync(() => ec2.Count("DescribeInstances") > describesBefore && ec2.Find(providerId)!.State == "running",
            "the instance grain resumes polling on a survivor", TimeSpan.FromMinutes(3));
        output.WriteLine($"polling resumed {(DateTimeOffset.UtcNow - killedAt).TotalSeconds:F1} s after SIGKILL");

        var survivor = nodes.Take(2).First(n => n != holder);
        using var survivorHttp = Http(survivor);
        var survivorApi = new CloudApi(survivorHttp);
        // Until the cluster has declared the dead silo dead, a request may be refused 503 (Retry-After), never 500.
        await Eventually.TrueAsync(async () => await StatusOrNullAsync(survivorApi, user, id) == "running", "the launch finishes", TimeSpan.FromMinutes(2));
        Assert.Single(ec2.Instances, i => i.Tags.GetValueOrDefault("OrbitInstanceId") == id);
        Assert.Equal("127.0.0.1", (string?)(await survivorApi.GetAsync(user, id))["public_ip"]);
    }

    /// <summary>The Cloud settings of every node: EC2 at the in-test endpoint, quick polls and reminders.</summary>
    private static Dictionary<string, string> Settings(FakeEc2 ec2) => new()
    {
        ["AWS_ENDPOINT_URL"] = ec2.Url.ToString(),
        ["AWS_ACCESS_KEY_ID"] = "AKIDTEST",
        ["AWS_SECRET_ACCESS_KEY"] = "test-secret-access-key",
        ["AWS_REGION"] = "us-east-1",
        ["UBUNTU_AMI_ID"] = "ami-0123456789abcdef0",
        ["EC2_KEY_PAIR_NAME"] = "cloud-test",
        ["EC2_SECURITY_GROUP_ID"] = "sg-0123456789abcdef0",
        ["EC2_SUBNET_ID"] = "subnet-0123456789abcdef0",
        ["CLOUD_POLL_SEC"] = "1",
        ["CLOUD_TRANSITION_REMINDER_SEC"] = "2",
        ["ORLEANS_MINIMUM_REMINDER_PERIOD"] = "00:00:02",
        ["ANONYMOUS_CREATIONS_PER_ADDRESS"] = "1000",
    };

    private static HttpClient Http(ProductNode node) => new() { BaseAddress = node.HttpAddress, Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>Activations of instance grains created on one node, from its Prometheus text (Orleans' catalog, by grain type).</summary>
    private static async Task<double> InstanceGrainsOnAsync(ProductNode node)
    {
        using var http = new HttpClient { BaseAddress = node.HttpAddress, Timeout = TimeSpan.FromSeconds(10) };
        // The front ends serve /metrics to the admin; the headless silo's health port serves it to anyone.
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ProductCluster.AdminToken);
        var text = await http.GetStringAsync("/metrics");
        return text.Split('\n')
            .Where(line => line.StartsWith("orleans_catalog_activation_created_total{", StringComparison.Ordinal)
                && line.Contains("grain_type=\"instance\"", StringComparison.Ordinal))
            .Sum(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
    }

    private static async Task<string?> StatusOrNullAsync(CloudApi api, string user, string id)
    {
        using var response = await api.SendAsync(HttpMethod.Get, $"/api/instances/{id}", bearer: user);
        Assert.NotEqual(HttpStatusCode.InternalServerError, response.StatusCode);
        return response.StatusCode == HttpStatusCode.OK ? (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["status"] : null;
    }
}
