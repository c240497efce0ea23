using OrbitGrains.Hosting;

namespace OrbitGrains.Tests.Cloud;

/// <summary>
/// ENCRYPTION_KEY at start-up, on real processes of both node kinds in cluster mode outside Development: one rule
/// (missing or weak is refused, with one line and exit code 2, the value never echoed), checked before anything else
/// starts.
/// </summary>
public sealed class CloudEncryptionKeyStartTests
{
    private static readonly TimeSpan ExitWithin = TimeSpan.FromSeconds(120);

    public static TheoryData<string, string?, string?, string> Refusals => new()
    {
        { "OrbitGrains.Silo", null, null, "ENCRYPTION_KEY is required in cluster mode" },
        { "OrbitGrains.Silo", "change-me", null, "ENCRYPTION_KEY is refused outside Development because it is a published placeholder" },
        { "OrbitGrains.Silo", "short-private-value-9f3k", null, "ENCRYPTION_KEY is refused outside Development because it is shorter than 32 characters" },
        { "OrbitGrains.Silo", StrongKey, "old-private-value-7q2x", "ENCRYPTION_KEYS_PREVIOUS is refused outside Development because it is shorter than 32 characters" },
        { "OrbitGrains.WebFrontend", null, null, "ENCRYPTION_KEY is required in cluster mode" },
        { "OrbitGrains.WebFrontend", "short-private-value-9f3k", null, "ENCRYPTION_KEY is refused outside Development because it is shorter than 32 characters" },
    };

    private const string StrongKey = "start-test-encryption-key-0123456789abcdefghij";

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task A_missing_or_weak_encryption_key_stops_a_cluster_node_with_one_line(string executable, string? current, string? previous, string message)
    {
        using var data = new TempDirectory("cloud-key-start");
        var outcome = await ProductProcess.RunToExitAsync(executable, Environment(data, current, previous), ExitWithin);

        Assert.Equal(OrbitHostRunner.ConfigurationErrorExitCode, outcome.ExitCode);
        Assert.Contains(message, outcome.StandardError);
        var all = outcome.StandardError + outcome.StandardOutput;
        Assert.DoesNotContain("   at ", all);
        foreach (var value in new[] { current, previous }.Where(v => v is not null && v != StrongKey && v != "change-me"))
        {
            Assert.DoesNotContain(value!, all);
        }
    }

    [Theory]
    [InlineData("OrbitGrains.Silo")]
    [InlineData("OrbitGrains.WebFrontend")]
    public async Task With_a_strong_key_the_same_node_passes_the_check_and_goes_on_to_its_database(string executable)
    {
        using var data = new TempDirectory("cloud-key-start");
        var outcome = await ProductProcess.RunToExitAsync(executable, Environment(data, StrongKey, null), ExitWithin);

        // The database is a closed port: failing there proves the key check let it through.
        Assert.Equal(OrbitHostRunner.ConfigurationErrorExitCode, outcome.ExitCode);
        Assert.Contains("Cannot reach PostgreSQL", outcome.StandardError);
        Assert.DoesNotContain("ENCRYPTION_KEY", outcome.StandardError);
    }

    private static Dictionary<string, string> Environment(TempDirectory data, string? current, string? previous)
    {
        var environment = new Dictionary<string, string>
        {
            ["DATA_DIR"] = data.Path,
            ["PORT"] = FreePorts.Next().ToString(),
            ["HEALTH_PORT"] = FreePorts.Next().ToString(),
            ["ORLEANS_SILO_PORT"] = FreePorts.Next().ToString(),
            ["ORLEANS_GATEWAY_PORT"] = FreePorts.Next().ToString(),
            ["ORLEANS_CLUSTERING"] = "postgres",
            ["ConnectionStrings__Postgres"] = $"Host=127.0.0.1;Port={FreePorts.Next()};Database=orbit;Username=orbit;Password=unused",
            ["CODEX_REMOTE_WEB_JWT_SECRET"] = "start-test-jwt-secret-0123456789abcdefghijkl",
            ["ADMIN_TOKEN"] = "start-test-admin-token-0123456789abcdefghijk",
        };
        if (current is not null)
        {
            environment["ENCRYPTION_KEY"] = current;
        }

        if (previous is not null)
        {
            environment["ENCRYPTION_KEYS_PREVIOUS"] = previous;
        }

        return environment;
    }
}
