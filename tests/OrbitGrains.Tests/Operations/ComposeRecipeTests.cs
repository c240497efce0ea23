using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using OrbitGrains.Tests.Pipeline;
using YamlDotNet.RepresentationModel;

namespace OrbitGrains.Tests.Operations;

/// <summary>
/// deploy/compose without a Docker engine: docker-compose (Debian's) reads and resolves the file as `docker compose`
/// would, and the same Caddyfile runs for real in front of two front ends of a PostgreSQL cluster whose schema was
/// applied once by the schema command, carrying HTTPS, WebSockets and Server-Sent Events with no stickiness.
/// </summary>
public sealed class ComposeRecipeTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    [Fact]
    public async Task The_compose_file_resolves_with_the_example_env_file_and_wires_the_nodes_as_documented()
    {
        // Laid out as a checkout is (the build context is the repository root), with .env made from the example.
        using var checkout = new TempDirectory("compose");
        var compose = Path.Combine(checkout.Path, "deploy", "compose");
        Directory.CreateDirectory(compose);
        File.Copy(Repository.PathOf("Dockerfile"), Path.Combine(checkout.Path, "Dockerfile"));
        foreach (var file in new[] { "compose.yaml", "Caddyfile" })
        {
            File.Copy(Repository.PathOf("deploy", "compose", file), Path.Combine(compose, file));
        }

        File.Copy(Repository.PathOf("deploy", "compose", ".env.example"), Path.Combine(compose, ".env"));
        var result = await Tool.RunAsync("docker-compose", ["config"], workingDirectory: compose);
        Assert.True(result.ExitCode == 0, result.Output + result.Error);

        var stream = new YamlStream();
        stream.Load(new StringReader(result.Output));
        var services = (YamlMappingNode)((YamlMappingNode)stream.Documents[0].RootNode)["services"];
        string Get(string service, params string[] path) =>
            ((YamlScalarNode)path.Aggregate((YamlNode)services[service], (node, key) => ((YamlMappingNode)node)[key])).Value!;

        var image = Dockerfile.Parse(File.ReadAllText(Repository.PathOf("Dockerfile")));
        foreach (var (service, target) in new[] { ("front1", "frontend"), ("front2", "frontend"), ("silo1", "silo"), ("schema", "silo") })
        {
            Assert.Equal(target, Get(service, "build", "target"));
            Assert.True(image.Stages.ContainsKey(target));
            Assert.Equal("false", Get(service, "environment", "ORLEANS_APPLY_SCHEMA"));
            Assert.StartsWith("Host=postgres;", Get(service, "environment", "ConnectionStrings__Postgres"));
        }

        Assert.Equal(OrbitGrains.Silo.SchemaCommand.Verb, ((YamlScalarNode)((YamlSequenceNode)services["schema"]["command"]).Single()).Value);
        foreach (var node in new[] { "front1", "front2", "silo1" })
        {
            Assert.Equal("service_completed_successfully", Get(node, "depends_on", "schema", "condition"));
            Assert.Equal(node, Get(node, "environment", "ORLEANS_ADVERTISED_IP"));
            Assert.Equal(node, Get(node, "hostname"));
            Assert.Equal("change-me", Get(node, "environment", "ADMIN_TOKEN"));
        }

        // The proxy balances over exactly the front ends, on the port the image listens on, and is the one trusted proxy.
        var frontPort = image.Stages["frontend"].Environment["PORT"];
        Assert.Equal($"front1:{frontPort} front2:{frontPort}", Get("proxy", "environment", "ORBIT_UPSTREAMS"));
        Assert.Equal(Get("front1", "environment", "FORWARDED_PROXIES"), Get("proxy", "networks", "default", "ipv4_address"));
    }

    [Fact]
    public async Task Behind_the_caddy_recipe_two_front_ends_serve_https_websockets_and_sse_without_sticky_sessions()
    {
        var database = await postgres.CreateDatabaseAsync("compose");
        await using var cluster = new ProductCluster(database, "compose");
        var applySchemaOff = new Dictionary<string, string>
        {
            ["ORLEANS_APPLY_SCHEMA"] = "false",
            // The legacy room's demo token, for the socket check.
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["OPERATOR__pipeline__stage_duration_ms"] = "50",
        };
        var fronts = new[] { cluster.AddFrontEnd("compose-front1", applySchemaOff), cluster.AddFrontEnd("compose-front2", applySchemaOff) };

        // Applied once by the schema command, as the compose file's one-shot service does; the nodes only check it.
        var schema = await ProductProcess.RunDllToExitAsync(ProductProcess.Assembly("OrbitGrains.Silo"),
            new Dictionary<string, string> { ["ORLEANS_CLUSTERING"] = "postgres", ["ConnectionStrings__Postgres"] = database }, TimeSpan.FromMinutes(2), "schema");
        Assert.True(schema.ExitCode == 0, schema.StandardOutput + schema.StandardError);
        Assert.Contains("Schema applied", schema.StandardOutput);

        foreach (var front in fronts)
        {
            front.Start();
        }

        await Task.WhenAll(fronts.Select(f => f.WaitReadyAsync(TimeSpan.FromMinutes(3))));
        await using var proxy = await CaddyProxy.StartAsync(fronts.Select(f => f.HttpAddress));
        using var http = proxy.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ProductCluster.AdminToken);

        // Round robin: both front ends answer through the one address.
        var silos = new HashSet<string>();
        await Eventually.TrueAsync(async () =>
        {
            using var health = JsonDocument.Parse(await http.GetStringAsync("/health"));
            silos.Add(health.RootElement.GetProperty("cluster").GetProperty("silo").GetString()!);
            return silos.Count == 2;
        }, "both front ends answered through the proxy");

        // WebSockets through TLS: two peers of one room, wherever the proxy placed each, see each other's messages.
        await using var a = await LegacyRoom.ConnectAsync(proxy.Address, "/ws?token=demo_token_123", proxy.Validate);
        await using var b = await LegacyRoom.ConnectAsync(proxy.Address, "/ws?token=demo_token_123", proxy.Validate);
        await a.SendTextAsync("""{"type":"smoke","payload":{"via":"proxy"}}""");
        Assert.Equal("proxy", (string?)(await b.NextOfTypeAsync("smoke"))["payload"]!["via"]);

        // Server-Sent Events through the proxy, unbuffered: the job's pause at its gate arrives while the stream is open.
        var created = await http.PostAsJsonAsync("/api/v1/jobs", new { slug = "proxy", intent = "Through the proxy", brief = "short" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        await using var events = await SseClient.OpenAsync(http, id);
        var frames = await events.ReadUntilAsync(frame => frame.Type == "gate_pause");
        Assert.Equal("gate_pause", frames[^1].Type);
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync($"/api/v1/jobs/{id}/cancel", null)).StatusCode);
    }
}
