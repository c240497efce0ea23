using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OrbitGrains.Hosting;
using OrbitGrains.WebFrontend.Accounts;
using OrbitGrains.WebFrontend.Admin;
using OrbitGrains.WebFrontend.Hardening;
using OrbitGrains.WebFrontend.Health;
using OrbitGrains.WebFrontend.Relay;
using OrbitGrains.WebFrontend.Rooms;
using OrbitGrains.WebFrontend.Pipeline;
using OrbitGrains.WebFrontend.Telemetry;
using OrbitGrains.WebFrontend.WebClient;
using Scalar.AspNetCore;

namespace OrbitGrains.WebFrontend.Hosting;

/// <summary>
/// Builds the front-end silo: ASP.NET Core co-hosting an Orleans silo composed by AddOrbitGrains.
/// Program.cs and the tests both go through here, so what the tests start is what users run.
/// </summary>
public static class OrbitWebApp
{
    public const string DefaultUrl = "http://127.0.0.1:8080";

    public static async Task<WebApplication> CreateAsync(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);

        var settings = OrbitClusterSettings.Load(builder.Configuration);
        var operatorConfiguration = OperatorConfiguration.Load(builder);
        var secrets = SecretStore.Resolve(builder.Configuration, settings, builder.Environment.IsDevelopment());
        await SchemaInstaller.PrepareAsync(settings);

        ConfigureUrls(builder, operatorConfiguration.Options.Server);
        OrbitLogging.Configure(builder.Logging, builder.Configuration);

        builder.UseOrleans(silo => silo.AddOrbitGrains(settings));
        builder.Services.AddSingleton(secrets.Secrets);
        // Try: a host (or a test) that registered its own clock in `configure` keeps it, for grains and endpoints alike.
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddAccounts(builder.Configuration, builder.Environment.IsDevelopment());
        builder.Services.AddSingleton<ConnectionCounters>();
        builder.Services.AddOrbitTelemetry(builder.Configuration, $"{Environment.MachineName}:{settings.SiloPort}");
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
            // Authentication and authorization refusals carry no text of their own; clients of the {"detail"} families read one.
            context.ProblemDetails.Detail ??= context.ProblemDetails.Status switch
            {
                StatusCodes.Status401Unauthorized => "Authentication is required: send a valid Authorization: Bearer token.",
                StatusCodes.Status403Forbidden => "This credential is not allowed to do that.",
                _ => null,
            });
        builder.Services.AddOpenApi();
        builder.Services.AddOrbitAuthentication();
        builder.Services.AddRelay(builder.Configuration);
        builder.Services.AddRooms(builder.Configuration, builder.Environment.IsDevelopment());
        builder.Services.AddOrbitCors(operatorConfiguration.Options.Security.Cors);
        builder.Services.AddPipeline(operatorConfiguration);
        builder.Services.AddWebClient(builder.Configuration, builder.Environment);
        builder.Services.AddDataProtection()
            .SetApplicationName("orbitgrains")
            .PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(settings.DataDirectory, "keys")));

        var app = builder.Build();
        AnnounceSecrets(app, secrets);

        app.UseSecurityHeaders(operatorConfiguration.Options.Security.SecurityHeaders);
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseWebClientAssets();
        app.UseWebSockets();
        app.UseRouting();
        app.UseOrbitCors(operatorConfiguration.Options.Security.Cors);
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapScalarApiReference("/docs", options => options
            .WithTitle("OrbitGrains API")
            .WithOpenApiRoutePattern("/openapi/{documentName}.json"));
        app.MapHealth();
        app.MapAdmin();
        app.MapAccounts();
        app.MapRelay();
        app.MapRelayArtifacts();
        app.MapRooms();
        app.MapPipeline();
        app.MapWebClient();
        return app;
    }

    public static Task<int> RunAsync(string[] args) => OrbitHostRunner.RunAsync("orbitgrains", async () =>
    {
        var app = await CreateAsync(args);
        await app.RunAsync();
    });

    private static void ConfigureUrls(WebApplicationBuilder builder, ServerOptions server)
    {
        if (builder.Configuration["urls"] is { Length: > 0 } urls && !string.IsNullOrWhiteSpace(urls))
        {
            BindingGuard.Check(urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), server.AllowExternalBind);
            return;
        }

        var port = builder.Configuration["PORT"];
        var host = builder.Configuration["HOST"] is { Length: > 0 } configuredHost ? configuredHost.Trim() : server.Host;
        int number;
        if (string.IsNullOrWhiteSpace(port))
        {
            number = server.Port;
        }
        else if (!int.TryParse(port, out number) || number is < 0 or > 65535)
        {
            throw new OrbitConfigurationException($"PORT='{port}' is not a TCP port.");
        }

        var url = host.Contains(':') && !host.StartsWith('[') ? $"http://[{host}]:{number}" : $"http://{host}:{number}";
        BindingGuard.Check([url], server.AllowExternalBind);
        builder.WebHost.UseUrls(url);
    }

    private static void AnnounceSecrets(WebApplication app, SecretStore.Resolution resolution)
    {
        if (resolution.GeneratedAdminToken is null)
        {
            return;
        }

        // Shown exactly once, on the start that created it; only its hash is kept.
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("OrbitGrains.Secrets");
        logger.LogWarning(
            "First start: generated secrets in {SecretsFile}. Admin token (shown only now, keep it): {AdminToken}",
            resolution.FilePath, resolution.GeneratedAdminToken);
    }
}
