using Microsoft.Extensions.DependencyInjection;
using OrbitGrains.Hosting;
using Orleans.Providers;
using Orleans.Storage;

namespace OrbitGrains.Tests.Pipeline;

/// <summary>The embedded store queues this process's writes (see SerializedWriteGrainStorage); state still round-trips.</summary>
public sealed class EmbeddedWriteGateTests
{
    [Fact]
    public async Task Every_grain_storage_of_the_embedded_mode_goes_through_the_write_gate_and_still_persists()
    {
        using var data = new TempDirectory();
        await using var host = await RunningHost.StartFrontEndAsync(RunningHost.IsolatedConfiguration(data.Path, "gate"));
        foreach (var name in new[] { ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME, OrbitStorageNames.GrainState })
        {
            Assert.IsType<SerializedWriteGrainStorage>(host.Services.GetRequiredKeyedService<IGrainStorage>(name));
        }

        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => host.Grains.GetGrain<IProbeGrain>($"gate/{i}").Set($"v{i}")));
        var values = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => host.Grains.GetGrain<IProbeGrain>($"gate/{i}").Get()));
        Assert.Equal(Enumerable.Range(0, 40).Select(i => $"v{i}"), values);
    }
}
