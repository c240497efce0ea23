namespace OrbitGrains.Tests.Operations;

/// <summary>
/// No Docker engine runs where the tests run, so the image is checked the other way round: the Dockerfile's own
/// publish commands are run (on the build these tests use), and what each runtime stage copies, starts and probes
/// must be there and must work, as its own process with the stage's environment.
/// </summary>
public sealed class ContainerImageTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    private static readonly Dockerfile Image = Dockerfile.Parse(File.ReadAllText(Repository.PathOf("Dockerfile")));

    [Fact]
    public void Each_node_kind_has_a_non_root_stage_with_an_entrypoint_and_a_health_check_on_its_own_port()
    {
        Assert.Equal("frontend", Image.DefaultTarget);
        foreach (var (stage, port) in new[] { ("frontend", "PORT"), ("silo", "HEALTH_PORT") })
        {
            var runtime = Image.Stages[stage];
            Assert.Equal("$APP_UID", runtime.User);
            Assert.Equal("postgres", runtime.Environment["ORLEANS_CLUSTERING"]);
            Assert.Contains(int.Parse(runtime.Environment[port]), runtime.Exposed);
            Assert.Contains(11111, runtime.Exposed);
            Assert.Contains(30000, runtime.Exposed);
            Assert.Equal("dotnet", runtime.Entrypoint![0]);
            Assert.Equal([.. runtime.Entrypoint, "probe"], runtime.HealthCheck!);
        }
    }

    [Fact]
    public async Task The_published_output_holds_what_each_stage_starts_and_it_runs_and_passes_its_health_check()
    {
        using var outputs = new TempDirectory("publish");
        var published = new Dictionary<string, string>();
        foreach (var publish in Image.Publishes)
        {
            // The same command on the build the tests already made (the image builds Release from a clean tree).
            var folder = Path.Combine(outputs.Path, publish.Output.TrimStart('/'));
            await Tool.OutputOfAsync("dotnet", "publish", Repository.PathOf(publish.Project), "-c", Repository.BuildConfiguration, "--no-build", "-o", folder, "-nologo", "-v", "quiet");
            published[publish.Output] = folder;
        }

        Assert.Equal(["/out/frontend", "/out/silo"], published.Keys.Order());
        var folders = new Dictionary<string, string>();
        foreach (var stage in new[] { "frontend", "silo" })
        {
            var (from, source) = Assert.Single(Image.Stages[stage].Copies);
            Assert.Equal("build", from);
            var folder = published[source.TrimEnd('/')];
            var dll = Image.Stages[stage].Entrypoint![1];
            Assert.True(File.Exists(Path.Combine(folder, dll)), $"{stage}: {dll} is not in {source}");
            Assert.True(File.Exists(Path.Combine(folder, Path.ChangeExtension(dll, ".runtimeconfig.json"))), $"{stage}: no runtimeconfig for {dll}");
            folders[stage] = folder;
        }

        // The front end serves the web client from beside itself; the schema scripts travel inside the assembly.
        Assert.True(File.Exists(Path.Combine(folders["frontend"], "clientapp", "index.html")), "the web client is not in the front end's output");

        var database = await postgres.CreateDatabaseAsync("image");
        await using var cluster = new ProductCluster(database, "image");
        var nodes = new[]
        {
            cluster.AddFrontEnd("image-front", ImageEnvironment("frontend"), Path.Combine(folders["frontend"], Image.Stages["frontend"].Entrypoint![1])),
            cluster.AddHeadless("image-silo", ImageEnvironment("silo"), Path.Combine(folders["silo"], Image.Stages["silo"].Entrypoint![1])),
        };
        foreach (var node in nodes)
        {
            node.Start();
        }

        foreach (var node in nodes)
        {
            // The image's HEALTHCHECK command, with the node's own environment: healthy once the silo is in the cluster.
            var stage = node.Name == "image-front" ? "frontend" : "silo";
            await Eventually.TrueAsync(async () =>
            {
                Assert.True(node.IsRunning, $"{node.Name} exited:\n{node.Tail()}");
                var probe = await ProductProcess.RunDllToExitAsync(node.Dll, node.Environment, TimeSpan.FromSeconds(60), Image.Stages[stage].HealthCheck![2..]);
                return probe.ExitCode == 0 && probe.StandardOutput.Contains("/readyz: 200");
            }, $"{node.Name}'s health check passes\n{node.Tail()}", TimeSpan.FromMinutes(3));
        }

        foreach (var node in nodes)
        {
            Assert.Equal(0, await node.StopAsync(TimeSpan.FromSeconds(60)));
        }

        // A stopped node fails the same check.
        var stopped = await ProductProcess.RunDllToExitAsync(nodes[0].Dll, nodes[0].Environment, TimeSpan.FromSeconds(60), "probe");
        Assert.Equal(1, stopped.ExitCode);
        Assert.Contains("unreachable", stopped.StandardOutput);
    }

    /// <summary>The stage's ENV as a container would have it, less what must differ on a shared test machine (loopback, free ports).</summary>
    private static Dictionary<string, string> ImageEnvironment(string stage) => Image.Stages[stage].Environment
        .Where(pair => pair.Key is not ("HOST" or "PORT" or "HEALTH_HOST" or "HEALTH_PORT" or "DATA_DIR"))
        .ToDictionary(pair => pair.Key, pair => pair.Value);
}
