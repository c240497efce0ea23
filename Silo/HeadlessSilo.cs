using OrbitGrains.Hosting;
using OrbitGrains.Telemetry;

namespace OrbitGrains.Silo;

/// <summary>
/// A silo that only hosts grains (cluster mode). Its HTTP surface is health, readiness and metrics on its own port,
/// for process supervisors, orchestrators and Prometheus; clients reach the cluster through the front ends.
/// </summary>
public static class HeadlessSilo
{
    public const int DefaultHealthPort = 8081;
    public const string DefaultHealthHost = "127.0.0.1";

    public static async Task<WebApplication> CreateAsync(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        configure?.Invoke(builder);

        var settings = OrbitClusterSettings.Load(builder.Configuration);
        return await DataFolderLock.HoldWhileAsync(settings, folderLock => BuildAsync(builder, settings, folderLock));
    }

    private static async Task<WebApplication> BuildAsync(WebApplicationBuilder builder, OrbitClusterSettings settings, DataFolderLock? folderLock)
    {
        string[] urls;
        if (builder.Configuration["urls"] is { Length: > 0 } configured && !string.IsNullOrWhiteSpace(configured))
        {
            urls = configured.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }
        else
        {
            urls = [HealthUrl(builder.Configuration)];
            builder.WebHost.UseUrls(urls);
        }

        // The front end's rule (weak refused, missing refused in cluster mode, outside Development), checked before anything starts.
        var cloudKeys = Cloud.EncryptionKeySettings.Load(builder.Configuration, settings, builder.Environment.IsDevelopment()).Cipher();
        PortProbe.EnsureFree(PortProbe.Http(urls, "HEALTH_PORT or --urls").Concat(PortProbe.Orleans(settings)));
        await SchemaInstaller.PrepareAsync(settings);
        if (folderLock is not null)
        {
            // Made by a factory, so the container disposes it (and frees the folder) when the host is disposed.
            builder.Services.AddSingleton(_ => folderLock);
        }

        OrbitLogging.Configure(builder.Logging, builder.Configuration);
        builder.UseOrleans(silo => silo.AddOrbitGrains(settings));
        // Cloud grains placed here encrypt with the same ENCRYPTION_KEY as the front ends; without it they cannot activate.
        if (cloudKeys is not null)
        {
            builder.Services.AddSingleton(cloudKeys);
        }

        builder.Services.AddSingleton(Cloud.CloudOptions.Load(builder.Configuration));
        builder.Services.AddOrbitTelemetry(builder.Configuration, $"{Environment.MachineName}:{settings.SiloPort}");

        var app = builder.Build();
        _ = app.Services.GetService<DataFolderLock>();
        app.MapGet("/health", (SiloReadiness silo) => Results.Json(new
        {
            status = "ok",
            service = "orbitgrains-silo",
            cluster = new
            {
                mode = settings.Mode == ClusteringMode.Postgres ? "postgres" : "localhost",
                silo = silo.SiloAddress,
                ready = silo.IsActive,
                activeSilos = silo.ActiveSilos,
            },
        }));
        app.MapGet("/healthz", () => Results.Json(new { status = "healthy", timestamp = DateTimeOffset.UtcNow }));
        app.MapGet("/readyz", (SiloReadiness silo) => silo.IsActive
            ? Results.Json(new { status = "ready", silo = silo.SiloAddress, activeSilos = silo.ActiveSilos })
            : Results.Json(new { status = "starting" }, statusCode: StatusCodes.Status503ServiceUnavailable));
        // No authentication: the health port is for the orchestrator and the scraper, on loopback unless HEALTH_HOST opens it.
        app.MapPrometheusScrapingEndpoint(OrbitTelemetry.MetricsPath);
        return app;
    }

    /// <summary>
    /// HEALTH_HOST (default loopback) and HEALTH_PORT (default 8081). An orchestrator's probes and a Prometheus
    /// server reach the pod from outside it, so a container sets HEALTH_HOST=0.0.0.0.
    /// </summary>
    public static string HealthUrl(IConfiguration configuration)
    {
        var port = configuration["HEALTH_PORT"];
        var number = string.IsNullOrWhiteSpace(port) ? DefaultHealthPort
            : int.TryParse(port, out var parsed) && parsed is > 0 and < 65536 ? parsed
            : throw new OrbitConfigurationException($"HEALTH_PORT='{port}' is not a TCP port.");
        var host = configuration["HEALTH_HOST"] is { Length: > 0 } configured ? configured.Trim() : DefaultHealthHost;
        if (host is not ("*" or "+" or "localhost") && !System.Net.IPAddress.TryParse(host.Trim('[', ']'), out _))
        {
            throw new OrbitConfigurationException($"HEALTH_HOST='{host}' is not an IP address (0.0.0.0 for every interface).");
        }

        return host.Contains(':') && !host.StartsWith('[') ? $"http://[{host}]:{number}" : $"http://{host}:{number}";
    }
}
