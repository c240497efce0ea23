using OrbitGrains.Tests.Operations.Chaos;
using Xunit.Abstractions;

namespace OrbitGrains.Tests.Operations;

/// <summary>
/// Rolling restarts and node loss under load, on real processes (two front ends and a headless silo on PostgreSQL):
/// nothing acknowledged is lost, relay messages stay within the documented bound, every client is back within two
/// lease periods, job timers fire, no unexpected 5xx, and /metrics moves with the load. The short form (one round)
/// runs in CI; bench/chaos.sh runs rounds for a given time (CHAOS_SECONDS) and writes the figures to CHAOS_REPORT.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ChaosTests(PostgresServer server, ITestOutputHelper output)
{
    [Fact]
    public async Task Rolling_restarts_and_killed_nodes_lose_nothing_acknowledged_and_every_client_comes_back()
    {
        var seconds = int.TryParse(Environment.GetEnvironmentVariable("CHAOS_SECONDS"), out var s) ? s : 0;
        var figures = await ChaosRun.RunAsync(server, new ChaosRun.Options(MinimumRounds: 1, Duration: TimeSpan.FromSeconds(seconds)), output.WriteLine);
        var details = figures.Details();
        output.WriteLine(details);
        if (Environment.GetEnvironmentVariable("CHAOS_REPORT") is { Length: > 0 } report)
        {
            await File.WriteAllTextAsync(report, details);
        }

        Assert.True(figures.LostWrites.Count == 0, details);
        Assert.True(figures.UnfinishedJobs.Count == 0, details);
        Assert.True(figures.StreamMissed.Count == 0, details);
        Assert.True(figures.RelayLostBeyondBound.Count == 0, details);
        Assert.True(figures.MaxOutage <= 2 * ChaosRun.LeaseSeconds, details);
        Assert.True(figures.UnexpectedServerErrors == 0, details);
        Assert.True(figures.TimerLateness.Count > 0 && figures.TimerLateness.Max() <= ChaosRun.TimerLateBoundSeconds, details);
        Assert.True(figures.MetricsFailures.Count == 0, details);
        Assert.True(figures.Accounts > 0 && figures.Jobs > 0 && figures.Approvals > 0 && figures.Estops > 0 && figures.RelaySent > 0, details);
    }
}
