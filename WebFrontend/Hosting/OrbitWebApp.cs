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
        return await DataFolderLock.HoldWhileAsync(settings, folderLock => BuildAsync(builder, settings, folderLock));
    }

    private static async Task<WebApplication> BuildAsync(WebApplicationBuilder builder, OrbitClusterSettings settings, DataFolderLock? folderLock)
    {
        var operatorConfiguration = OperatorConfiguration.Load(builder);
        var secrets = SecretStore.Resolve(builder.Configuration, settings, builder.Environment.IsDevelopment());
        var urls = ConfigureUrls(builder, operatorConfiguration.Options.Server);
        PortProbe.EnsureFree(PortProbe.Http(urls, "PORT or --urls").Concat(PortProbe.Orleans(settings)));
        await SchemaInstaller.PrepareAsync(settings);

        ConfigureLogging(builder);
        if (folderLock is not null)
        {
            // Made by a factory, so the container disposes it (and frees the folder) when the host is disposed.
            builder.Services.AddSingleton(_ => folderLock);
        }

        builder.UseOrleans(silo => silo.AddOrbitGrains(settings));
        builder.Services.AddSingleton(secrets.Secrets);
        // Try: a host (or a test) that registered its own clock in `configure` keeps it, for grains and endpoints alike.
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddAccounts(builder.Configuration, builder.Environment.IsDevelopment());
        builder.Services.AddSingleton<ConnectionCounters>();
        builder.Services.AddOrbitTelemetry(builder.Configuration, $"{Environment.MachineName}:{settings.SiloPort}");
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            // Authentication and authorization refusals carry no text of their own; clients of the {"detail"} families read one.
            context.ProblemDetails.Detail ??= context.ProblemDetails.Status switch
            {
                StatusCodes.Status401Unauthorized => "Authentication is required: send a valid Authorization: Bearer token.",
                StatusCodes.Status403Forbidden => "This credential is not allowed to do that.",
                _ => null,
            };
            LastLine.Describe(context);
        });
        builder.Services.AddLastLine();
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
        // Resolved now so the container owns it from here on, and disposes it with the host.
        _ = app.Services.GetService<DataFolderLock>();
        AnnounceSecrets(app, secrets);

        app.UseSecurityHeaders(operatorConfiguration.Options.Security.SecurityHeaders);
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseWebClientAssets();
        Sockets.LingeringUpgrade.UseLingeringUpgrades(app);
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

    /// <summary>Sets where Kestrel listens; the URLs, for the port check.</summary>
    private static string[] ConfigureUrls(WebApplicationBuilder builder, ServerOptions server)
    {
        if (builder.Configuration["urls"] is { Length: > 0 } configured && !string.IsNullOrWhiteSpace(configured))
        {
            var urls = configured.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            BindingGuard.Check(urls, server.AllowExternalBind);
            return urls;
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
        return [url];
    }

    private static void ConfigureLogging(WebApplicationBuilder builder)
    {
        builder.Logging.ClearProviders();
        if (string.Equals(builder.Configuration["LOG_FORMAT"], "json", StringComparison.OrdinalIgnoreCase))
        {
            builder.Logging.AddJsonConsole(options => options.UseUtcTimestamp = true);
        }
        else
        {
            builder.Logging.AddSimpleConsole(options =>
            {
                options.SingleLine = true;
                options.UseUtcTimestamp = true;
                options.TimestampFormat = "HH:mm:ss ";
            });
        }

        if (string.IsNullOrWhiteSpace(builder.Configuration["Logging:LogLevel:Orleans"]))
        {
            builder.Logging.AddFilter("Orleans", LogLevel.Warning);
        }

        // Orleans' placement retries log every attempt at Information.
        builder.Logging.AddFilter("Polly", LogLevel.Warning);
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
