using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using OrbitGrains.Hosting;

namespace OrbitGrains.Tests.Hosting;

/// <summary>
/// An embedded data folder has one user at a time, and a port that is taken is one line and exit code 2, both for
/// the product as an operator runs it (a real process).
/// </summary>
public sealed class SingleInstanceTests
{
    private static readonly TimeSpan ExitWithin = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_second_process_on_a_data_folder_in_use_exits_with_one_line_naming_the_folder_and_the_holder()
    {
        using var data = new TempDirectory();
        await using var first = await RunningHost.StartFrontEndAsync(RunningHost.IsolatedConfiguration(data.Path, "single"));

        var second = await ProductProcess.RunToExitAsync("OrbitGrains.WebFrontend", Environment(data.Path, FreePorts.Next()), ExitWithin);

        Assert.Equal(OrbitHostRunner.ConfigurationErrorExitCode, second.ExitCode);
        var line = Assert.Single(Lines(second.StandardError));
        Assert.Contains(data.Path, line);
        Assert.Contains($"process {System.Environment.ProcessId}", line);
        // The first one was not disturbed.
        Assert.Equal(HttpStatusCode.OK, (await first.Http.GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public async Task In_one_process_a_second_host_on_the_same_folder_is_refused_and_the_folder_is_free_once_the_first_stops()
    {
        using var data = new TempDirectory();
        var first = await RunningHost.StartFrontEndAsync(RunningHost.IsolatedConfiguration(data.Path, "single-inproc"));
        var refused = await Assert.ThrowsAsync<OrbitConfigurationException>(() => RunningHost.StartFrontEndAsync(RunningHost.IsolatedConfiguration(data.Path, "single-inproc")));
        Assert.Contains("in use", refused.Message);

        await first.DisposeAsync();
        await using var next = await RunningHost.StartFrontEndAsync(RunningHost.IsolatedConfiguration(data.Path, "single-inproc"));
        Assert.Equal(HttpStatusCode.OK, (await next.Http.GetAsync("/healthz")).StatusCode);
    }

    [Theory]
    [InlineData("PORT")]
    [InlineData("ORLEANS_SILO_PORT")]
    [InlineData("ORLEANS_GATEWAY_PORT")]
    public async Task A_port_in_use_is_one_line_and_exit_code_2(string setting)
    {
        using var data = new TempDirectory();
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var environment = Environment(data.Path, FreePorts.Next());
        environment[setting] = port.ToString();

        var outcome = await ProductProcess.RunToExitAsync("OrbitGrains.WebFrontend", environment, ExitWithin);

        Assert.Equal(OrbitHostRunner.ConfigurationErrorExitCode, outcome.ExitCode);
        var line = Assert.Single(Lines(outcome.StandardError));
        Assert.Contains($"port {port}", line);
        Assert.Contains(setting, line);
    }

    [Fact]
    public async Task The_runtime_clocks_count_from_their_first_reading_so_an_unstamped_watchdog_check_is_not_the_machine_uptime()
    {
        using var data = new TempDirectory();
        var started = System.Diagnostics.Stopwatch.StartNew();
        await using var host = await RunningHost.StartHeadlessAsync(RunningHost.IsolatedConfiguration(data.Path, "clock"));
        var membership = host.Services.GetRequiredKeyedService<TimeProvider>(Orleans.Runtime.TimeProviderNames.Membership);

        // Orleans' watchdog reads an unstamped 0 as a timestamp (see OrleansRuntimeClock): that must be "since this silo began".
        Assert.True(membership.GetElapsedTime(0) <= started.Elapsed, $"{membership.GetElapsedTime(0)} since the clock's zero, {started.Elapsed} since the host began");
        Assert.Equal(DateTimeOffset.UtcNow, membership.GetUtcNow(), TimeSpan.FromSeconds(5));
    }

    private static Dictionary<string, string> Environment(string dataDir, int httpPort) => new()
    {
        ["DATA_DIR"] = dataDir,
        ["PORT"] = httpPort.ToString(),
        ["ORLEANS_SILO_PORT"] = FreePorts.Next().ToString(),
        ["ORLEANS_GATEWAY_PORT"] = FreePorts.Next().ToString(),
        ["ADMIN_TOKEN"] = "single-instance-admin-token-0123456789abcdef",
        ["CODEX_REMOTE_WEB_JWT_SECRET"] = "single-instance-jwt-secret-0123456789abcdef",
    };

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
