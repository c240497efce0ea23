using OrbitGrains.Hosting;
using OrbitGrains.WebFrontend.Hosting;
using Microsoft.Extensions.Configuration;

namespace OrbitGrains.Tests.Foundation;

/// <summary>Start-up validation: what an operator sees when configuration is wrong, and how secrets are resolved.</summary>
public sealed class ConfigurationTests
{
    private static IConfiguration Config(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Fact]
    public void Nothing_configured_means_embedded_mode_in_a_data_folder()
    {
        var settings = OrbitClusterSettings.Load(Config());
        Assert.Equal(ClusteringMode.Localhost, settings.Mode);
        Assert.Equal(Path.Combine(settings.DataDirectory, "orbitgrains.db"), settings.SqlitePath);
    }

    [Theory]
    [InlineData("ORLEANS_CLUSTERING", "zookeeper", "not a clustering mode")]
    [InlineData("ORLEANS_SILO_PORT", "70000", "not a TCP port")]
    [InlineData("ORLEANS_ADVERTISED_IP", "nosuchhost.invalid", "neither an IP address nor a host name that resolves")]
    [InlineData("ORLEANS_APPLY_SCHEMA", "maybe", "not a boolean")]
    public void Bad_values_are_named_in_the_message(string key, string value, string expected)
    {
        var error = Assert.Throws<OrbitConfigurationException>(() => OrbitClusterSettings.Load(Config((key, value))));
        Assert.Contains(key, error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void The_advertised_address_may_be_a_host_name_that_resolves()
    {
        // A compose service or pod names itself; its address is known only once the container runs.
        var settings = OrbitClusterSettings.Load(Config(("ORLEANS_ADVERTISED_IP", "localhost")));
        Assert.True(System.Net.IPAddress.IsLoopback(settings.AdvertisedAddress));
        Assert.Equal(System.Net.IPAddress.Parse("10.1.2.3"), OrbitClusterSettings.Load(Config(("ORLEANS_ADVERTISED_IP", "10.1.2.3"))).AdvertisedAddress);
    }

    [Fact]
    public void Postgres_mode_needs_a_valid_connection_string()
    {
        var missing = Assert.Throws<OrbitConfigurationException>(() => OrbitClusterSettings.Load(Config(("ORLEANS_CLUSTERING", "postgres"))));
        Assert.Contains("ConnectionStrings__Postgres", missing.Message);

        var invalid = Assert.Throws<OrbitConfigurationException>(() => OrbitClusterSettings.Load(
            Config(("ORLEANS_CLUSTERING", "postgres"), ("ConnectionStrings:Postgres", "Hostess=nowhere;Bogus"))));
        Assert.Contains("not a valid PostgreSQL connection string", invalid.Message);
    }

    [Fact]
    public void First_start_generates_secrets_once_and_later_starts_reuse_them()
    {
        using var data = new TempDirectory();
        var settings = OrbitClusterSettings.Load(Config(("DATA_DIR", data.Path)));

        var first = SecretStore.Resolve(Config(), settings, isDevelopment: false);
        Assert.NotNull(first.GeneratedAdminToken);
        Assert.True(first.GeneratedAdminToken!.Length >= 43);
        Assert.True(first.Secrets.JwtSigningKey.Length >= 32);

        var second = SecretStore.Resolve(Config(), settings, isDevelopment: false);
        Assert.Null(second.GeneratedAdminToken);
        Assert.True(second.Secrets.IsAdminToken(first.GeneratedAdminToken));
        Assert.Equal(first.Secrets.JwtSigningKey, second.Secrets.JwtSigningKey);

        // Only the hash of the admin token is on disk.
        var stored = File.ReadAllText(Path.Combine(data.Path, SecretStore.FileName));
        Assert.DoesNotContain(first.GeneratedAdminToken, stored);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(data.Path, SecretStore.FileName)));
        }
    }

    [Fact]
    public void Configured_secrets_win_over_generated_ones()
    {
        using var data = new TempDirectory();
        var settings = OrbitClusterSettings.Load(Config(("DATA_DIR", data.Path)));
        var generated = SecretStore.Resolve(Config(), settings, isDevelopment: false);

        const string configured = "an-operator-chosen-admin-token-0123456789";
        var resolved = SecretStore.Resolve(Config(("ADMIN_TOKEN", configured)), settings, isDevelopment: false);
        Assert.True(resolved.Secrets.IsAdminToken(configured));
        Assert.False(resolved.Secrets.IsAdminToken(generated.GeneratedAdminToken));
    }

    [Theory]
    [InlineData("ADMIN_TOKEN", "default-admin-token-change-me")]
    [InlineData("ADMIN_TOKEN", "")]
    [InlineData("ADMIN_TOKEN", "tiny-token")]
    [InlineData("CODEX_REMOTE_WEB_JWT_SECRET", "change-me")]
    [InlineData("CODEX_REMOTE_WEB_JWT_SECRET", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public void Weak_secrets_are_refused_outside_development_and_allowed_in_it(string key, string value)
    {
        using var data = new TempDirectory();
        var settings = OrbitClusterSettings.Load(Config(("DATA_DIR", data.Path)));

        var error = Assert.Throws<OrbitConfigurationException>(() => SecretStore.Resolve(Config((key, value)), settings, isDevelopment: false));
        Assert.Contains(key, error.Message);
        Assert.DoesNotContain(value.Length > 0 ? value : "\u0000", error.Message);

        var development = SecretStore.Resolve(Config((key, value)), settings, isDevelopment: true);
        Assert.NotNull(development.Secrets);
    }

    [Fact]
    public void Cluster_mode_refuses_to_generate_per_node_secrets()
    {
        var settings = OrbitClusterSettings.Load(Config(("ORLEANS_CLUSTERING", "postgres"), ("ConnectionStrings:Postgres", "Host=127.0.0.1")));
        var error = Assert.Throws<OrbitConfigurationException>(() => SecretStore.Resolve(Config(), settings, isDevelopment: false));
        Assert.Contains("CODEX_REMOTE_WEB_JWT_SECRET", error.Message);
    }
}

/// <summary>The real executables, started as processes: a bad configuration ends in one clear line and exit code 2.</summary>
public sealed class StartupFailureTests
{
    private static Dictionary<string, string> BaseEnvironment(TempDirectory data) => new()
    {
        ["DATA_DIR"] = data.Path,
        ["PORT"] = FreePorts.Next().ToString(),
        ["ORLEANS_SILO_PORT"] = FreePorts.Next().ToString(),
        ["ORLEANS_GATEWAY_PORT"] = FreePorts.Next().ToString(),
    };

    [Theory]
    [InlineData("OrbitGrains.WebFrontend")]
    [InlineData("OrbitGrains.Silo")]
    public async Task Unknown_clustering_mode_exits_with_a_message_not_a_stack_trace(string executable)
    {
        using var data = new TempDirectory();
        var environment = BaseEnvironment(data);
        environment["ORLEANS_CLUSTERING"] = "zookeeper";

        var outcome = await ProductProcess.RunToExitAsync(executable, environment, TimeSpan.FromSeconds(60));

        Assert.Equal(OrbitHostRunner.ConfigurationErrorExitCode, outcome.ExitCode);
        Assert.Contains("ORLEANS_CLUSTERING='zookeeper' is not a clustering mode", outcome.StandardError);
        AssertNoStackTrace(outcome);
    }

    [Fact]
    public async Task Unreachable_postgres_exits_with_a_message_naming_the_server_but_not_the_password()
    {
        using var data = new TempDirectory();
        var environment = BaseEnvironment(data);
        var closedPort = FreePorts.Next();
        environment["ORLEANS_CLUSTERING"] = "postgres";
        environment["ConnectionStrings__Postgres"] = $"Host=127.0.0.1;Port={closedPort};Database=orbit;Username=orbit;Password=hunter2-secret";
        environment["CODEX_REMOTE_WEB_JWT_SECRET"] = "startup-test-jwt-secret-0123456789abcdefghij";
        environment["ADMIN_TOKEN"] = "startup-test-admin-token-0123456789abcdefghij";
        environment["ENCRYPTION_KEY"] = "startup-test-encryption-key-0123456789abcdef";

        var outcome = await ProductProcess.RunToExitAsync("OrbitGrains.WebFrontend", environment, TimeSpan.FromSeconds(60));

        Assert.Equal(OrbitHostRunner.ConfigurationErrorExitCode, outcome.ExitCode);
        Assert.Contains($"Cannot reach PostgreSQL at 127.0.0.1:{closedPort}/orbit", outcome.StandardError);
        Assert.DoesNotContain("hunter2-secret", outcome.StandardError + outcome.StandardOutput);
        AssertNoStackTrace(outcome);
    }

    [Fact]
    public async Task A_weak_admin_token_in_production_exits_with_a_message()
    {
        using var data = new TempDirectory();
        var environment = BaseEnvironment(data);
        environment["ADMIN_TOKEN"] = "default-admin-token-change-me";

        var outcome = await ProductProcess.RunToExitAsync("OrbitGrains.WebFrontend", environment, TimeSpan.FromSeconds(60));

        Assert.Equal(OrbitHostRunner.ConfigurationErrorExitCode, outcome.ExitCode);
        Assert.Contains("ADMIN_TOKEN is refused outside Development", outcome.StandardError);
        AssertNoStackTrace(outcome);
    }

    [Fact]
    public async Task A_first_start_refused_for_a_busy_port_leaves_no_secrets_so_the_next_start_shows_a_new_admin_token()
    {
        using var data = new TempDirectory();
        var environment = BaseEnvironment(data);
        using var busy = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, int.Parse(environment["PORT"]));
        busy.Start();

        var outcome = await ProductProcess.RunToExitAsync("OrbitGrains.WebFrontend", environment, TimeSpan.FromSeconds(60));

        Assert.Equal(OrbitHostRunner.ConfigurationErrorExitCode, outcome.ExitCode);
        Assert.Contains("already in use", outcome.StandardError);
        // The token would have been shown only by a start that got further: none may be kept that nobody saw.
        Assert.False(File.Exists(Path.Combine(data.Path, SecretStore.FileName)), "no secrets file after the refused start");
    }

    [Fact]
    public async Task A_first_start_refused_after_it_generated_secrets_deletes_them_unseen()
    {
        using var data = new TempDirectory();
        var environment = BaseEnvironment(data);
        // Refused by the Accounts family's settings, read as its services are added: after the admin token was
        // generated, before it is shown.
        environment["REGISTRATION"] = "sometimes";

        var outcome = await ProductProcess.RunToExitAsync("OrbitGrains.WebFrontend", environment, TimeSpan.FromSeconds(60));

        Assert.Equal(OrbitHostRunner.ConfigurationErrorExitCode, outcome.ExitCode);
        Assert.Contains("REGISTRATION='sometimes' is not a sign-up policy", outcome.StandardError);
        Assert.DoesNotContain("Admin token", outcome.StandardOutput + outcome.StandardError);
        Assert.False(File.Exists(Path.Combine(data.Path, SecretStore.FileName)), "no secrets file after the refused start");
    }

    private static void AssertNoStackTrace(ProductProcess.Outcome outcome)
    {
        var all = outcome.StandardError + outcome.StandardOutput;
        Assert.DoesNotContain("   at ", all);
        Assert.DoesNotContain("Unhandled exception", all);
    }
}
