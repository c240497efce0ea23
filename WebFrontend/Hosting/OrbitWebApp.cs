using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OrbitGrains.Hosting;
using OrbitGrains.WebFrontend.Accounts;
using OrbitGrains.WebFrontend.Admin;
using OrbitGrains.Cloud;
using OrbitGrains.WebFrontend.Agents;
using OrbitGrains.WebFrontend.Cloud;
using OrbitGrains.WebFrontend.Hardening;
using OrbitGrains.WebFrontend.Health;
using OrbitGrains.WebFrontend.Hosting.Access;
using OrbitGrains.WebFrontend.Relay;
using OrbitGrains.WebFrontend.Rooms;
using OrbitGrains.WebFrontend.Pipeline;
using OrbitGrains.Telemetry;
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

    /// <summary>The runtime setting that stops a single-CPU process from delaying tiered compilation tenfold.</summary>
    public const string SingleCpuTieringVariable = "DOTNET_TC_DelaySingleProcMultiplier";

    public static async Task<WebApplication> CreateAsync(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);

        var settings = OrbitClusterSettings.Load(builder.Configuration);
        return await DataFolderLock.HoldWhileAsync(settings, folderLock => BuildAsync(builder, settings, folderLock));
    }

    private static async Task<WebApplication> BuildAsync(WebApplicationBuilder builder, OrbitClusterSettings settings, DataFolderLock? folderLock)
    {
        // What can refuse the start is checked before the first start generates secrets: its admin token is shown once.
        SecretStore.Validate(builder.Configuration, settings, builder.Environment.IsDevelopment());
        var operatorConfiguration = OperatorConfiguration.Load(builder);
        var urls = ConfigureUrls(builder, operatorConfiguration.Options.Server);
        var read = new StartSettings(operatorConfiguration, CloudOptions.Load(builder.Configuration),
            ForwardedHeadersSetup.Load(builder.Configuration), CorsSetup.ProductOrigins(builder.Configuration), urls);
        PortProbe.EnsureFree(PortProbe.Http(urls, "PORT or --urls").Concat(PortProbe.Orleans(settings)));
        await SchemaInstaller.PrepareAsync(settings);
        var secrets = SecretStore.Resolve(builder.Configuration, settings, builder.Environment.IsDevelopment());
        try
        {
            return Build(builder, settings, folderLock, read, secrets);
        }
        catch
        {
            // A start that fails before it has shown the token it generated leaves no secrets: the next start makes and shows new ones.
            SecretStore.ForgetGenerated(secrets);
            throw;
        }
    }

    /// <summary>What the start reads and checks before it generates secrets (see <see cref="BuildAsync"/>).</summary>
    private sealed record StartSettings(
        OperatorConfiguration.Loaded Operator, CloudOptions Cloud, ForwardedHeadersOptions? ForwardedHeaders, string[] CorsOrigins, string[] Urls);

    private static WebApplication Build(WebApplicationBuilder builder, OrbitClusterSettings settings, DataFolderLock? folderLock,
        StartSettings read, SecretStore.Resolution secrets)
    {
        var (operatorConfiguration, cloudOptions, forwardedHeaders, corsOrigins, urls) = read;
        var cloudKeys = SecretStore.ResolveEncryptionKeys(builder.Configuration, settings, builder.Environment.IsDevelopment());

        OrbitLogging.Configure(builder.Logging, builder.Configuration);
        if (folderLock is not null)
        {
            // Made by a factory, so the container disposes it (and frees the folder) when the host is disposed.
            builder.Services.AddSingleton(_ => folderLock);
        }

        builder.UseOrleans(silo => silo.AddOrbitGrains(settings));
        builder.Services.AddSingleton(secrets.Secrets);
        builder.Services.AddCloud(cloudOptions, cloudKeys);
        // Try: a host (or a test) that registered its own clock in `configure` keeps it, for grains and endpoints alike.
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddAccounts(builder.Configuration, builder.Environment.IsDevelopment());
        builder.Services.AddSingleton<ConnectionCounters>();
        builder.Services.AddOrbitTelemetry(builder.Configuration, $"{Environment.MachineName}:{settings.SiloPort}");
        builder.Services.AddSingleton<OrbitMetrics>();
        builder.Services.AddGracefulShutdown(builder.Configuration);
        var metricsPort = OrbitTelemetry.MetricsPort(builder.Configuration);
        var keepAlive = Sockets.SocketKeepAlive.Load(builder.Configuration);
        ListenForMetrics(builder, urls, metricsPort);
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
        builder.Services.AddOrbitAccess(builder.Configuration);
        builder.Services.AddRelay(builder.Configuration);
        builder.Services.AddRooms(builder.Configuration, builder.Environment.IsDevelopment());
        builder.Services.AddOrbitCors(operatorConfiguration.Options.Security.Cors, corsOrigins);
        builder.Services.AddPipeline(operatorConfiguration);
        builder.Services.AddAgents();
        builder.Services.AddWebClient(builder.Configuration, builder.Environment);
        builder.Services.AddDataProtection()
            .SetApplicationName("orbitgrains")
            .PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(settings.DataDirectory, "keys")));

        var app = builder.Build();
        // Resolved now so the container owns it from here on, and disposes it with the host.
        _ = app.Services.GetService<DataFolderLock>();
        AnnounceSecrets(app, secrets);

        if (metricsPort is { } port)
        {
            app.UseMetricsPort(port);
        }

        // First: everything after it (limits, audit, the device page's URL) sees the real client behind a configured proxy.
        app.UseOrbitForwardedHeaders(forwardedHeaders);
        app.UseSecurityHeaders(operatorConfiguration.Options.Security.SecurityHeaders);
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseWebClientAssets();
        Sockets.LingeringUpgrade.UseLingeringUpgrades(app);
        app.UseWebSockets(keepAlive.ToWebSocketOptions());
        app.UseGracefulShutdown();
        app.UseRouting();
        app.UseCors();
        // An unknown path is a plain 404, and a known path with a method it does not take routing's own 405, before
        // anything is authenticated: their tokens are never looked up, and the authenticated fallback policy (which
        // also covers requests that matched no route) does not turn them into a 401.
        app.Use((context, next) =>
        {
            switch (context.GetEndpoint())
            {
                case RouteEndpoint:
                    return next(context);
                case { RequestDelegate: { } rejection }:
                    return rejection(context);
                default:
                    context.Response.StatusCode = StatusCodes.Status404NotFound;
                    return Task.CompletedTask;
            }
        });
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        // A self-hosted product's reference page: no buttons or calls to outside services (AI chat, MCP, deploy and SDK
        // generation in the developer toolbar, usage telemetry, fonts from a CDN).
        app.MapScalarApiReference("/docs", options => options
            .WithTitle("OrbitGrains API")
            .WithOpenApiRoutePattern("/openapi/{documentName}.json")
            .DisableAgent()
            .DisableMcp()
            .HideDeveloperTools()
            .HideClientButton()
            .DisableTelemetry()
            .DisableDefaultFonts()).AllowAnonymous();
        app.MapAdmin();
        if (metricsPort is null)
        {
            // Operational detail (silo names, traffic by family) for admins; a scraper on the open network gets METRICS_PORT.
            app.MapPrometheusScrapingEndpoint(OrbitTelemetry.MetricsPath).RequireAuthorization(OrbitPolicies.Admin).ExcludeFromDescription();
        }

        // The routes a web client on another origin calls (CORS_ORIGINS). The operator console has its own policy, or none.
        var product = app.MapGroup("").RequireCors(CorsSetup.Product);
        product.MapHealth();
        product.MapAdminApi();
        product.MapAccounts();
        product.MapRelay();
        product.MapRelayArtifacts();
        product.MapRooms();
        product.MapAgents();
        product.MapCloud();
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

    /// <summary>
    /// Adds the metrics port beside the front end's own addresses, on the same host (HOST or --urls' first), so
    /// METRICS_PORT alone opens it where the product already listens.
    /// </summary>
    private static void ListenForMetrics(WebApplicationBuilder builder, string[] urls, int? port)
    {
        if (port is null)
        {
            return;
        }

        var first = new Uri(urls[0].Replace("://*", "://0.0.0.0").Replace("://+", "://0.0.0.0"));
        builder.WebHost.UseUrls([.. urls, $"http://{first.Host}:{port}"]);
    }

    private static void AnnounceSecrets(WebApplication app, SecretStore.Resolution resolution)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("OrbitGrains.Secrets");
        if (Environment.ProcessorCount == 1 && Environment.GetEnvironmentVariable(SingleCpuTieringVariable) is null)
        {
            // On one CPU the runtime waits ten times longer before optimising hot code, and each newly run method
            // restarts the wait: under load a request path can run unoptimised for minutes (docs/benchmarks.md).
            app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("OrbitGrains.Hosting").LogWarning(
                "This process sees a single CPU: start it with {Variable}=1 so hot code is optimised within a second of load " +
                "rather than minutes (dotnet run --project WebFrontend does so).", SingleCpuTieringVariable);
        }

        if (app.Services.GetRequiredService<AccountsOptions>().AdminUsersIgnored)
        {
            logger.LogWarning(
                "ADMIN_USERS is set but no longer used: it made admin whoever registered a listed name first. Grant roles with the admin " +
                "token instead: PUT /api/admin/users/{{id}}/roles with {{\"roles\":[\"admin\"]}} (find the id with GET /api/admin/users?search=<name>).");
        }

        if (resolution.GeneratedAdminToken is null)
        {
            return;
        }

        // Shown exactly once, on the start that created it; only its hash is kept.
        logger.LogWarning(
            "First start: generated secrets in {SecretsFile}. Admin token (shown only now, keep it): {AdminToken}. " +
            "Sign-ups are members; make the first admin with PUT /api/admin/users/{{id}}/roles {{\"roles\":[\"admin\"]}} and this token.",
            resolution.FilePath, resolution.GeneratedAdminToken);
    }
}
