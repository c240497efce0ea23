using OrbitGrains.Hosting;

namespace OrbitGrains.Silo;

/// <summary>
/// <c>OrbitGrains.Silo schema</c>: applies the PostgreSQL schema (deploy/sql/postgresql, under the installer's advisory
/// lock) with the same settings a node reads, then exits. A deployment runs it once, as a job, and starts every node
/// with ORLEANS_APPLY_SCHEMA=false, so no node needs DDL rights.
/// </summary>
public static class SchemaCommand
{
    public const string Verb = "schema";

    public static async Task RunAsync(string[] args, TextWriter output)
    {
        var configuration = new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine(args).Build();
        var settings = OrbitClusterSettings.Load(configuration);
        if (settings.Mode != ClusteringMode.Postgres)
        {
            throw new OrbitConfigurationException("The schema command applies the PostgreSQL schema: set ORLEANS_CLUSTERING=postgres and ConnectionStrings__Postgres.");
        }

        // Forced on: this command exists to apply it, whatever the nodes are told.
        await SchemaInstaller.PrepareAsync(settings with { ApplySchema = true });
        await output.WriteLineAsync($"Schema applied to {settings.DescribePostgres()}.");
    }
}
