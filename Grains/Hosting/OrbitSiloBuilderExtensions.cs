using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrbitGrains.Cloud;
using OrbitGrains.Pipeline;
using OrbitGrains.Telemetry;
using Orleans.Configuration;
using Orleans.Dashboard;
using Orleans.Providers;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace OrbitGrains.Hosting;

/// <summary>
/// The one place that composes a silo of the product: clustering, grain storage and reminders
/// chosen by <see cref="OrbitClusterSettings"/>. Both hosts (front end and headless) and the tests call it.
/// </summary>
public static class OrbitSiloBuilderExtensions
{
    public static ISiloBuilder AddOrbitGrains(this ISiloBuilder silo, OrbitClusterSettings settings)
    {
        silo.Configure<ClusterOptions>(options =>
        {
            options.ClusterId = settings.ClusterId;
            options.ServiceId = settings.ServiceId;
        });
        silo.Configure<SiloOptions>(options => options.SiloName = settings.SiloName);

        var (invariant, connectionString) = settings.Mode switch
        {
            ClusteringMode.Postgres => (OrbitStorageNames.PostgresInvariant, settings.PostgresConnectionString!),
            _ => (OrbitStorageNames.SqliteInvariant, SchemaInstaller.SqliteConnectionString(settings.SqlitePath)),
        };

        if (settings.Mode == ClusteringMode.Postgres)
        {
            if (settings.KubernetesHosting)
            {
                // The pod IP advertised and every interface listening, set here rather than left to Orleans' default,
                // which advertises whichever interface it finds first.
                silo.Configure<EndpointOptions>(options =>
                {
                    options.AdvertisedIPAddress = settings.AdvertisedAddress;
                    options.SiloPort = settings.SiloPort;
                    options.GatewayPort = settings.GatewayPort;
                    options.SiloListeningEndpoint = new IPEndPoint(IPAddress.Any, settings.SiloPort);
                    options.GatewayListeningEndpoint = new IPEndPoint(IPAddress.Any, settings.GatewayPort);
                });
                // The silo's name and ids from the pod, and silos whose pods are gone declared dead without waiting for votes.
                silo.UseKubernetesHosting();
            }
            else
            {
                silo.Configure<EndpointOptions>(options =>
                {
                    options.AdvertisedIPAddress = settings.AdvertisedAddress;
                    options.SiloPort = settings.SiloPort;
                    options.GatewayPort = settings.GatewayPort;
                    options.SiloListeningEndpoint = new IPEndPoint(settings.AdvertisedAddress, settings.SiloPort);
                    options.GatewayListeningEndpoint = new IPEndPoint(settings.AdvertisedAddress, settings.GatewayPort);
                });
            }

            silo.UseAdoNetClustering(options =>
            {
                options.Invariant = invariant;
                options.ConnectionString = connectionString;
            });
            // The default directory deactivates every grain whose entry lived on a silo that crashed, wherever that
            // grain runs: a person's relay on a healthy node was lost with its presence and pending requests when
            // another node died. The strongly consistent directory recovers the dead silo's range from the survivors
            // instead, so only grains that ran on the dead silo are lost (RelayCrashTests, ChaosTests).
#pragma warning disable ORLEANSEXP003
            silo.AddDistributedGrainDirectory();
#pragma warning restore ORLEANSEXP003
        }
        else
        {
            silo.UseLocalhostClustering(settings.SiloPort, settings.GatewayPort, serviceId: settings.ServiceId, clusterId: settings.ClusterId);
        }

        // Expiring grains (sessions, tokens, device codes, ceremonies) clear their state when they end; the row goes
        // with it, so the tables hold what is live rather than one empty row per token ever issued.
        silo.AddAdoNetGrainStorageAsDefault(options =>
        {
            options.Invariant = invariant;
            options.ConnectionString = connectionString;
            options.DeleteStateOnClear = true;
        });
        silo.AddAdoNetGrainStorage(OrbitStorageNames.GrainState, options =>
        {
            options.Invariant = invariant;
            options.ConnectionString = connectionString;
            options.DeleteStateOnClear = true;
        });
        // Registered after the providers, so these wrappers are what grains and the silo lifecycle resolve.
        silo.Services.AddSingleton<LegacyStorageRows>();
        if (settings.Mode == ClusteringMode.Localhost)
        {
            silo.Services.AddSingleton(services => new SqliteGroupCommit(
                connectionString, services.GetRequiredService<OrbitMeter>(), services.GetRequiredService<ILogger<SqliteGroupCommit>>()));
        }

        foreach (var name in new[] { ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME, OrbitStorageNames.GrainState })
        {
            silo.Services.AddKeyedSingleton<IGrainStorage>(name, (services, key) => GrainStorage(services, (string)key!, settings.Mode));
        }

        silo.UseAdoNetReminderService(options =>
        {
            options.Invariant = invariant;
            options.ConnectionString = connectionString;
        });
        if (settings.MinimumReminderPeriod is { } minimumPeriod)
        {
            silo.Configure<ReminderOptions>(options => options.MinimumReminderPeriod = minimumPeriod);
        }

        if (settings.Dashboard)
        {
            silo.AddDashboard();
        }

        silo.Services.AddSingleton(settings);
        // Grains read time only through this, so a host (or a test) can supply its own clock before this runs.
        silo.Services.TryAddSingleton(TimeProvider.System);
        silo.Services.AddSingleton<OrleansRuntimeClock>();
        foreach (var key in OrleansRuntimeClock.RuntimeKeys)
        {
            silo.Services.AddKeyedSingleton<TimeProvider>(key, (services, _) => services.GetRequiredService<OrleansRuntimeClock>());
        }

        silo.Services.AddSingleton<SiloReadiness>();
        // Grains record on the product's meter; the host's telemetry (OrbitTelemetry) decides where it is exported.
        silo.Services.AddMetrics();
        silo.Services.TryAddSingleton<OrbitMeter>();
        silo.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IStageRunner, SimulatedStageRunner>());
        silo.Services.AddCloudGrains();
        return silo;
    }

    /// <summary>A named ADO.NET provider behind the product's storage keys; in embedded mode its writes go through the group commit.</summary>
    private static IGrainStorage GrainStorage(IServiceProvider services, string name, ClusteringMode mode)
    {
        var provider = AdoNetGrainStorageFactory.Create(services, name);
        var inner = mode == ClusteringMode.Localhost
            ? new GroupCommitGrainStorage(
                provider,
                name,
                services.GetRequiredService<IOptions<ClusterOptions>>().Value.ServiceId,
                services.GetRequiredService<IOptionsMonitor<AdoNetGrainStorageOptions>>().Get(name).DeleteStateOnClear,
                services.GetRequiredService<SqliteGroupCommit>(),
                services.GetRequiredService<IActivatorProvider>())
            : (IGrainStorage)provider;
        return new StorageKeyGrainStorage(inner, services.GetRequiredService<LegacyStorageRows>(), services.GetRequiredService<ILogger<StorageKeyGrainStorage>>());
    }
}
