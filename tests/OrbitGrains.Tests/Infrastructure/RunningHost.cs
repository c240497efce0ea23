using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OrbitGrains.Silo;
using OrbitGrains.WebFrontend.Hosting;

namespace OrbitGrains.Tests.Infrastructure;

/// <summary>A real host of the product (front end or headless silo) on loopback, started in this process.</summary>
public sealed class RunningHost : IAsyncDisposable
{
    private RunningHost(WebApplication app)
    {
        App = app;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address);
        // Generous: a cold host's first requests (JIT, password hashing) on a loaded two-core machine can take tens of seconds.
        Http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(120) };
    }

    public WebApplication App { get; }
    public Uri BaseAddress { get; }
    public HttpClient Http { get; }
    public IGrainFactory Grains => App.Services.GetRequiredService<IGrainFactory>();
    public IServiceProvider Services => App.Services;

    /// <summary>Configuration that keeps a host to itself: its own data folder, ports and service id.</summary>
    public static Dictionary<string, string?> IsolatedConfiguration(string dataDir, string serviceId) => new()
    {
        ["urls"] = "http://127.0.0.1:0",
        ["DATA_DIR"] = dataDir,
        ["ORLEANS_SILO_PORT"] = FreePorts.Next().ToString(),
        ["ORLEANS_GATEWAY_PORT"] = FreePorts.Next().ToString(),
        ["ORLEANS_SERVICE_ID"] = serviceId,
        ["ORLEANS_CLUSTER_ID"] = serviceId,
        // Every test client is 127.0.0.1: the per-address limit on anonymous sign-ups has tests of its own.
        ["ANONYMOUS_CREATIONS_PER_ADDRESS"] = "1000000",
        // Cluster mode refuses to start without the shared Cloud encryption key outside Development.
        ["ENCRYPTION_KEY"] = "isolated-host-encryption-key-0123456789abcdef",
    };

    /// <param name="configure">Runs after the configuration is added, before the product's own services (e.g. to replace TimeProvider).</param>
    /// <param name="mapEndpoints">Runs on the built application before it starts (e.g. to add test-only endpoints beside the product's).</param>
    public static async Task<RunningHost> StartFrontEndAsync(
        IDictionary<string, string?> configuration, string environment = "Production", Action<WebApplicationBuilder>? configure = null,
        Action<WebApplication>? mapEndpoints = null)
    {
        var app = await OrbitWebApp.CreateAsync(["--environment", environment], builder =>
        {
            builder.Configuration.AddInMemoryCollection(configuration);
            configure?.Invoke(builder);
        });
        try
        {
            mapEndpoints?.Invoke(app);
            await app.StartAsync();
        }
        catch
        {
            // Release whatever did start (ports, the database file) so a caller may retry.
            await app.DisposeAsync();
            throw;
        }

        return new RunningHost(app);
    }

    public static async Task<RunningHost> StartHeadlessAsync(IDictionary<string, string?> configuration)
    {
        var app = await HeadlessSilo.CreateAsync(["--environment", "Production"], builder => builder.Configuration.AddInMemoryCollection(configuration));
        await app.StartAsync();
        return new RunningHost(app);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await App.StopAsync(timeout.Token);
        await App.DisposeAsync();
    }
}
