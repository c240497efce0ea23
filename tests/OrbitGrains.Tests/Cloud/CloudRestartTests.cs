using OrbitGrains.Cloud;
using OrbitGrains.Shared;

namespace OrbitGrains.Tests.Cloud;

public sealed class CloudRestartTests : IDisposable
{
    private readonly TempDirectory _data = new("orbit-cloud-restart");

    [Fact]
    public async Task A_launch_in_flight_finishes_after_a_restart_of_the_host()
    {
        var serviceId = $"cloud-restart-{Guid.NewGuid():N}";
        await using var ec2 = await FakeEc2.StartAsync();
        ec2.AutoAdvance = false;
        string user, id, providerId;
        await using (var before = await RunningHost.StartFrontEndAsync(Configuration(serviceId, ec2)))
        {
            var api = new CloudApi(before.Http);
            user = await api.SignUpAsync();
            var created = await api.CreateAsync(user);
            id = (string)created["id"]!;
            providerId = (string)created["ec2_instance_id"]!;
            Assert.Equal("launching", (string?)created["status"]);
        }

        ec2.AutoAdvance = true;
        var describesBefore = ec2.Count("DescribeInstances");
        await using var after = await RunningHost.StartFrontEndAsync(Configuration(serviceId, ec2));
        // Nothing calls the instance: only its reminder can bring it back to ask EC2 again.
        await Eventually.TrueAsync(() => ec2.Count("DescribeInstances") > describesBefore && ec2.Find(providerId)!.State == "running",
            "the instance grain resumes polling by its reminder", TimeSpan.FromSeconds(90));
        var api2 = new CloudApi(after.Http);
        await Eventually.TrueAsync(async () => await api2.StatusAsync(user, id) == "running", "the launch finishes", TimeSpan.FromSeconds(60));
        Assert.Equal(1, ec2.Count("RunInstances"));
    }

    [Fact]
    public async Task The_reconciler_terminates_orphans_of_this_deployment_only_and_corrects_drift()
    {
        var serviceId = $"cloud-reconcile-{Guid.NewGuid():N}";
        await using var ec2 = await FakeEc2.StartAsync();
        await using var host = await RunningHost.StartFrontEndAsync(Configuration(serviceId, ec2));
        var api = new CloudApi(host.Http);
        var user = await api.SignUpAsync();
        var created = await api.CreateAsync(user);
        var id = (string)created["id"]!;
        await Eventually.TrueAsync(async () => await api.StatusAsync(user, id) == "running", "the instance runs", TimeSpan.FromSeconds(60));

        // A crash between RunInstances and the grain's write: an instance tagged for us that no grain knows.
        var managedBy = $"orbitgrains:{serviceId}";
        var orphan = ec2.Add("running", new() { ["ManagedBy"] = managedBy, ["OrbitInstanceId"] = IssuedIds.New() });
        var untagged = ec2.Add("running", new() { ["ManagedBy"] = managedBy });
        var foreign = ec2.Add("running", new() { ["ManagedBy"] = "someone-else", ["OrbitInstanceId"] = IssuedIds.New() });
        // Drift: stopped at the provider behind our back.
        ec2.Find((string)created["ec2_instance_id"]!)!.State = "stopped";

        var terminated = await host.Grains.GetGrain<ICloudReconcilerGrain>(ICloudReconcilerGrain.Key).Run();
        Assert.Equal(2, terminated);
        Assert.Equal("shutting-down", orphan.State);
        Assert.Equal("shutting-down", untagged.State);
        Assert.Equal("running", foreign.State);
        Assert.Equal("stopped", await api.StatusAsync(user, id));
    }

    private Dictionary<string, string?> Configuration(string serviceId, FakeEc2 ec2)
    {
        var configuration = CloudHost.Configuration(_data.Path, serviceId, ec2);
        configuration["ORLEANS_MINIMUM_REMINDER_PERIOD"] = "00:00:02";
        configuration["CLOUD_TRANSITION_REMINDER_SEC"] = "2";
        return configuration;
    }

    public void Dispose() => _data.Dispose();
}
