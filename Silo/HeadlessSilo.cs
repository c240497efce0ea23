using OrbitGrains.Hosting;

namespace OrbitGrains.Silo;

/// <summary>
/// A silo that only hosts grains (cluster mode). Its HTTP surface is liveness and readiness on its own port,
/// for process supervisors and orchestrators; clients reach the cluster through the front ends.
/// </summary>
public static class HeadlessSilo
{
    public const string DefaultHealthUrl = "http://127.0.0.1:8081";

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
            var port = builder.Configuration["HEALTH_PORT"];
            urls = [string.IsNullOrWhiteSpace(port) ? DefaultHealthUrl
                : int.TryParse(port, out var number) && number is > 0 and < 65536 ? $"http://127.0.0.1:{number}"
                : throw new OrbitConfigurationException($"HEALTH_PORT='{port}' is not a TCP port.")];
            builder.WebHost.UseUrls(urls);
        }

        PortProbe.EnsureFree(PortProbe.Http(urls, "HEALTH_PORT or --urls").Concat(PortProbe.Orleans(settings)));
        await SchemaInstaller.PrepareAsync(settings);
        if (folderLock is not null)
        {
            // Made by a factory, so the container disposes it (and frees the folder) when the host is disposed.
            builder.Services.AddSingleton(_ => folderLock);
        }

        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(options => { options.SingleLine = true; options.UseUtcTimestamp = true; });
        builder.Logging.AddFilter("Orleans", LogLevel.Warning);
        builder.Logging.AddFilter("Polly", LogLevel.Warning);

        builder.UseOrleans(silo => silo.AddOrbitGrains(settings));

        var app = builder.Build();
        _ = app.Services.GetService<DataFolderLock>();
        app.MapGet("/healthz", () => Results.Json(new { status = "healthy", timestamp = DateTimeOffset.UtcNow }));
        app.MapGet("/readyz", (SiloReadiness silo) => silo.IsActive
            ? Results.Json(new { status = "ready", silo = silo.SiloAddress, activeSilos = silo.ActiveSilos })
            : Results.Json(new { status = "starting" }, statusCode: StatusCodes.Status503ServiceUnavailable));
        return app;
    }
}
