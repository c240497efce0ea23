using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Runtime;

namespace OrbitGrains.Cloud;

public static class CloudServiceCollectionExtensions
{
    /// <summary>
    /// The Cloud family's grain services: options, the provider (EC2, or the simulation under LOCAL_DEV_MODE), the
    /// live-stream hook (nothing unless a host registers one first) and the reconciler's reminder once the silo is
    /// active. The <see cref="ProviderKeyCipher"/> comes from the host, which resolves ENCRYPTION_KEY.
    /// </summary>
    public static IServiceCollection AddCloudGrains(this IServiceCollection services)
    {
        services.TryAddSingleton(sp => CloudOptions.Load(sp.GetRequiredService<IConfiguration>()));
        services.TryAddSingleton<ICloudProvider>(sp =>
        {
            var options = sp.GetRequiredService<CloudOptions>();
            if (options.LocalDevMode)
            {
                return new LocalCloudProvider(options);
            }

            var configuration = sp.GetRequiredService<IConfiguration>();
            return new Ec2CloudProvider(Ec2CloudProvider.CreateClient(options, configuration["AWS_ACCESS_KEY_ID"], configuration["AWS_SECRET_ACCESS_KEY"]), options);
        });
        services.TryAddSingleton<IInstanceEvents, FeedInstanceEvents>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, ReconcilerStart>();
        return services;
    }

    /// <summary>Registers the reconciler's reminder when the silo becomes active, if a provider is configured.</summary>
    private sealed class ReconcilerStart(IServiceProvider services) : ILifecycleParticipant<ISiloLifecycle>
    {
        public void Participate(ISiloLifecycle lifecycle) => lifecycle.Subscribe(nameof(ReconcilerStart), ServiceLifecycleStage.Active, async _ =>
        {
            var options = services.GetRequiredService<CloudOptions>();
            if (options.LocalDevMode || options.AmiId is not null || options.EndpointUrl is not null)
            {
                await services.GetRequiredService<IGrainFactory>().GetGrain<ICloudReconcilerGrain>(ICloudReconcilerGrain.Key).Ensure();
            }
        });
    }
}
