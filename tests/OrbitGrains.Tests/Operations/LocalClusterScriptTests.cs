using System.Text.RegularExpressions;

namespace OrbitGrains.Tests.Operations;

/// <summary>deploy/local-cluster.sh as a developer runs it: start, status, a rolling restart and stop, on its own ports and folder.</summary>
public sealed partial class LocalClusterScriptTests
{
    [Fact]
    public async Task Status_shows_only_the_layouts_nodes_and_roll_restarts_each_one_back_to_ready()
    {
        using var state = new TempDirectory("local-cluster");
        // The script numbers each node's ports from these bases (node n uses base + n - 1), so whole blocks are reserved:
        // base + 1 used to be anyone's port, and a CI run once saw the headless node on it never become ready.
        var http = FreePorts.Block(3);
        var environment = new Dictionary<string, string>
        {
            ["CLUSTER_STATE"] = state.Path,
            ["BASE_HTTP_PORT"] = http.ToString(),
            ["BASE_SILO_PORT"] = FreePorts.Block(3).ToString(),
            ["BASE_GATEWAY_PORT"] = FreePorts.Block(3).ToString(),
            ["PG_PORT"] = FreePorts.Next().ToString(),
            ["CONFIGURATION"] = Repository.BuildConfiguration,
            ["SKIP_BUILD"] = "1",
        };

        Task<Tool.Result> Script(params string[] args) =>
            Tool.RunAsync("bash", [Repository.PathOf("deploy", "local-cluster.sh"), .. args], environment: environment, timeout: TimeSpan.FromMinutes(6));

        try
        {
            var start = await Script("start", "front+silo");
            Assert.True(start.ExitCode == 0, start.Output + start.Error);

            var status = await Script("status");
            var lines = status.Output.Trim().Split('\n');
            Assert.Equal(2, lines.Length);
            Assert.StartsWith($"node1 (front) http://127.0.0.1:{http}: running", lines[0]);
            Assert.StartsWith($"node2 (headless) http://127.0.0.1:{http + 1}: running", lines[1]);
            Assert.All(lines, line => Assert.Contains("\"status\":\"ready\"", line));
            // The front+silo layout has no node on the third port: it is not reported at all, let alone as down.
            Assert.DoesNotContain((http + 2).ToString(), status.Output);
            var before = Pids(status.Output);

            var roll = await Script("roll", "--no-build");
            Assert.True(roll.ExitCode == 0, roll.Output + roll.Error);
            Assert.Contains("rolling node1", roll.Output);
            Assert.Contains("rolling node2", roll.Output);
            var after = Pids((await Script("status")).Output);
            Assert.Equal(2, after.Count);
            Assert.Empty(after.Intersect(before));
            Assert.All((await Script("status")).Output.Trim().Split('\n'), line => Assert.Contains("\"status\":\"ready\"", line));
        }
        finally
        {
            var stop = await Script("stop");
            Assert.True(stop.ExitCode == 0, stop.Output + stop.Error);
        }

        Assert.Contains("no cluster started", (await Script("status")).Output);
    }

    private static List<string> Pids(string status) => PidPattern().Matches(status).Select(m => m.Groups[1].Value).ToList();

    [GeneratedRegex(@"running \(pid (\d+)\)")]
    private static partial Regex PidPattern();
}
