using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OrbitGrains.Hosting;

namespace OrbitGrains.Tests.Foundation;

[Collection(PostgresCollection.Name)]
public sealed class PostgresClusterTests(PostgresServer server)
{
    private static Dictionary<string, string?> NodeConfiguration(string dataDir, string connectionString)
    {
        var configuration = RunningHost.IsolatedConfiguration(dataDir, "two-silos");
        configuration["ORLEANS_CLUSTERING"] = "postgres";
        configuration["ConnectionStrings:Postgres"] = connectionString;
        configuration["CODEX_REMOTE_WEB_JWT_SECRET"] = "cluster-test-jwt-secret-0123456789abcdefghij";
        configuration["ADMIN_TOKEN"] = "cluster-test-admin-token-0123456789abcdefghij";
        return configuration;
    }

    /// <summary>Settings for exercising the schema installer alone, without starting a silo.</summary>
    private static OrbitClusterSettings SchemaOnly(string database) => new()
    {
        Mode = ClusteringMode.Postgres,
        DataDirectory = Path.GetTempPath(),
        SqlitePath = Path.Combine(Path.GetTempPath(), "unused.db"),
        PostgresConnectionString = database,
    };

    [Fact]
    public async Task A_front_end_and_a_headless_silo_form_one_cluster_and_calls_cross_silos()
    {
        using var frontData = new TempDirectory();
        using var siloData = new TempDirectory();
        var database = await server.CreateDatabaseAsync("cluster");

        await using var front = await RunningHost.StartFrontEndAsync(NodeConfiguration(frontData.Path, database));
        await using var headless = await RunningHost.StartHeadlessAsync(NodeConfiguration(siloData.Path, database));

        var frontSilo = front.Services.GetRequiredService<SiloReadiness>();
        var headlessSilo = headless.Services.GetRequiredService<SiloReadiness>();
        await Eventually.TrueAsync(() => frontSilo.ActiveSilos == 2 && headlessSilo.ActiveSilos == 2, "both silos see a two-member cluster");

        // Random placement: among a few dozen grains, some land on the headless silo. Calls go through the front end only.
        var seenOn = new HashSet<string>();
        for (var i = 0; i < 64 && seenOn.Count < 2; i++)
        {
            var grain = front.Grains.GetGrain<IProbeGrain>($"cross/{i}");
            await grain.Set($"value {i}");
            seenOn.Add(await grain.Where());
        }

        Assert.Contains(headlessSilo.SiloAddress, seenOn);
        Assert.Contains(frontSilo.SiloAddress, seenOn);

        var health = await front.Http.GetFromJsonAsync<JsonElement>("/health");
        Assert.Equal("postgres", health.GetProperty("cluster").GetProperty("mode").GetString());
        Assert.Equal(2, health.GetProperty("cluster").GetProperty("activeSilos").GetInt32());
        var ready = await headless.Http.GetAsync("/readyz");
        Assert.Equal(System.Net.HttpStatusCode.OK, ready.StatusCode);
    }

    [Fact]
    public async Task State_written_through_one_silo_is_read_through_another_after_the_first_leaves()
    {
        using var firstData = new TempDirectory();
        using var secondData = new TempDirectory();
        var database = await server.CreateDatabaseAsync("handover");

        var first = await RunningHost.StartFrontEndAsync(NodeConfiguration(firstData.Path, database));
        await first.Grains.GetGrain<IProbeGrain>("handover").Set("written on node one");
        await first.DisposeAsync();

        await using var second = await RunningHost.StartFrontEndAsync(NodeConfiguration(secondData.Path, database));
        Assert.Equal("written on node one", await second.Grains.GetGrain<IProbeGrain>("handover").Get());
    }

    [Fact]
    public async Task Applying_the_schema_again_and_concurrently_changes_nothing()
    {
        var database = await server.CreateDatabaseAsync("schema");
        var settings = SchemaOnly(database);

        await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => SchemaInstaller.PrepareAsync(settings)));
        await SchemaInstaller.PrepareAsync(settings);

        await using var connection = new Npgsql.NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT count(*) FROM OrleansQuery", connection);
        Assert.Equal(21L, (long)(await command.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task Without_runtime_ddl_a_node_refuses_a_database_that_has_no_schema_and_accepts_one_applied_by_hand()
    {
        var database = await server.CreateDatabaseAsync("manual");
        var settings = SchemaOnly(database) with { ApplySchema = false };

        var error = await Assert.ThrowsAsync<OrbitConfigurationException>(() => SchemaInstaller.PrepareAsync(settings));
        Assert.Contains("has no Orleans schema", error.Message);

        // What an operator does with psql -f deploy/sql/postgresql/*.sql.
        await using (var connection = new Npgsql.NpgsqlConnection(database))
        {
            await connection.OpenAsync();
            foreach (var script in SchemaInstaller.Scripts("postgresql"))
            {
                await using var command = new Npgsql.NpgsqlCommand(script, connection);
                await command.ExecuteNonQueryAsync();
            }
        }

        await SchemaInstaller.PrepareAsync(settings);
    }
}
