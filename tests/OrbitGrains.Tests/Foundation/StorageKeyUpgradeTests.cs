using Microsoft.Extensions.DependencyInjection;
using OrbitGrains.Hosting;
using Orleans.Storage;

namespace OrbitGrains.Tests.Foundation;

/// <summary>
/// A data folder written by a version before <see cref="StorageKeys"/>: its rows are found, and moved to the encoded
/// key on the grain's next write; rows the old layout could not keep apart are not handed to anyone.
/// </summary>
public sealed class StorageKeyUpgradeTests
{
    private const string Service = "upgrade";

    [Fact]
    public async Task State_in_the_old_layout_is_read_then_moved_on_the_next_write()
    {
        using var data = new TempDirectory();
        var userId = Guid.NewGuid().ToString("N");
        await using (var old = await RunningHost.StartHeadlessAsync(RunningHost.IsolatedConfiguration(data.Path, Service)))
        {
            var raw = await OldLayoutStorageAsync(old);
            await raw.WriteStateAsync("probe", Probe(userId), State("by guid"));
            await raw.WriteStateAsync("probe", Probe("alice@example.com"), State("by name"));
            await raw.WriteStateAsync("probe", Probe("cafe"), State("written as cafe or 0cafe or CAFE: nobody knows"));
        }

        await using var upgraded = await RunningHost.StartFrontEndAsync(RunningHost.IsolatedConfiguration(data.Path, Service));
        Assert.Equal("by guid", await upgraded.Grains.GetGrain<IProbeGrain>(userId).Get());
        Assert.Equal("by name", await upgraded.Grains.GetGrain<IProbeGrain>("alice@example.com").Get());
        Assert.Null(await upgraded.Grains.GetGrain<IProbeGrain>("cafe").Get());
        Assert.Null(await upgraded.Grains.GetGrain<IProbeGrain>(userId.ToUpperInvariant()).Get());

        await upgraded.Grains.GetGrain<IProbeGrain>(userId).Set("written after the upgrade");
        var raw2 = await OldLayoutStorageAsync(upgraded);
        var leftover = new GrainState<ProbeState>(new ProbeState());
        await raw2.ReadStateAsync("probe", Probe(userId), leftover);
        Assert.False(leftover.RecordExists);

        var storage = upgraded.Services.GetRequiredKeyedService<IGrainStorage>(OrbitStorageNames.GrainState);
        var moved = new GrainState<ProbeState>(new ProbeState());
        await storage.ReadStateAsync("probe", Probe(userId), moved);
        Assert.Equal("written after the upgrade", moved.State!.Value);
        Assert.DoesNotContain("legacy", moved.ETag);
    }

    private static GrainId Probe(string key) => GrainId.Create("probe", key);

    private static GrainState<ProbeState> State(string value) => new(new ProbeState { Value = value, Writes = 1 });

    /// <summary>Orleans' own ADO.NET provider with no product layer in front: what earlier versions wrote through.</summary>
    private static async Task<IGrainStorage> OldLayoutStorageAsync(RunningHost host) =>
        await RawGrainStorage.StartAsync(host, OrbitStorageNames.GrainState);
}
