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
        await SchemaInstaller.PrepareAsync(settings);

        if (string.IsNullOrWhiteSpace(builder.Configuration["urls"]))
        {
            var port = builder.Configuration["HEALTH_PORT"];
            builder.WebHost.UseUrls(string.IsNullOrWhiteSpace(port) ? DefaultHealthUrl
                : int.TryParse(port, out var number) && number is > 0 and < 65536 ? $"http://127.0.0.1:{number}"
                : throw new OrbitConfigurationException($"HEALTH_PORT='{port}' is not a TCP port."));
        }

        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(options => { options.SingleLine = true; options.UseUtcTimestamp = true; });
        builder.Logging.AddFilter("Orleans", LogLevel.Warning);
        builder.Logging.AddFilter("Polly", LogLevel.Warning);

        builder.UseOrleans(silo => silo.AddOrbitGrains(settings));

        var app = builder.Build();
        app.MapGet("/healthz", () => Results.Json(new { status = "healthy", timestamp = DateTimeOffset.UtcNow }));
        app.MapGet("/readyz", (SiloReadiness silo) => silo.IsActive
            ? Results.Json(new { status = "ready", silo = silo.SiloAddress, activeSilos = silo.ActiveSilos })
            : Results.Json(new { status = "starting" }, statusCode: StatusCodes.Status503ServiceUnavailable));
        return app;
    }
}
