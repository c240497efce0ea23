using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Net.Http.Headers;
using OrbitGrains.WebFrontend.Rooms;

namespace OrbitGrains.WebFrontend.WebClient;

/// <summary>
/// Serves the single-page web client: hashed files under `/assets/` cached for a year (immutable), index.html never
/// cached, and index.html when a browser (Accept: text/html) reads one of the client's own routes (a reload of
/// `/pipeline/jobs/42` opens that page). The API's prefixes, sockets, `/dashboard`, `/docs` and `/openapi` never fall
/// back to the page: an unknown path there is a 404 ProblemDetails, as is a missing file (a path with an extension)
/// and any unknown path read by a client that does not ask for HTML.
/// </summary>
public static class WebClientEndpoints
{
    public const string AssetsPath = "/assets";

    // Like MapFallback's pattern: any path whose last segment has no file extension (a missing file stays a 404).
    private const string FallbackPattern = "{*path:nonfile}";

    private static readonly string[] Reads = [HttpMethods.Get, HttpMethods.Head];

    // Paths owned by the product's API, sockets and server-rendered pages; the client never takes them over.
    private static readonly string[] ReservedPrefixes =
    [
        "/api", "/auth", "/v1", "/ws", "/relay", "/dashboard", "/docs", "/openapi", "/admin/login", "/admin/logout",
        "/health", "/healthz", "/readyz", AssetsPath,
    ];

    public static IServiceCollection AddWebClient(this IServiceCollection services, IConfiguration configuration, IWebHostEnvironment environment)
    {
        var files = WebClientFiles.Locate(configuration, environment.ContentRootPath);
        if (files is not null)
        {
            services.AddSingleton(files);
        }

        return services;
    }

    public static WebApplication UseWebClientAssets(this WebApplication app)
    {
        if (app.Services.GetService<WebClientFiles>() is not { } files)
        {
            app.Logger.LogWarning("The web client is not built (no clientapp/index.html); `/` serves the status page. Build WebFrontend to include it.");
            return app;
        }

        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files.Provider,
            RequestPath = "",
            ContentTypeProvider = new FileExtensionContentTypeProvider(),
            OnPrepareResponse = context =>
            {
                // Vite names every asset by its content hash: a changed file is a new URL, so the old one never changes.
                context.Context.Response.Headers.CacheControl = context.Context.Request.Path.StartsWithSegments(AssetsPath)
                    ? "public, max-age=31536000, immutable"
                    : "no-cache";
            },
        });
        return app;
    }

    public static IEndpointRouteBuilder MapWebClient(this IEndpointRouteBuilder app)
    {
        var files = app.ServiceProvider.GetService<WebClientFiles>();

        app.MapMethods("/", Reads, (HttpContext context) => files is not null && WantsPage(context.Request)
                ? Index(context, files)
                : RoomApiEndpoints.StatusPage())
            .AllowAnonymous().ExcludeFromDescription();

        // The Anchor's verification URL (DEVICE_VERIFICATION_URL, default /device) opens the client's approval page.
        app.MapMethods("/device", Reads, (HttpContext context) => files is not null
                ? Index(context, files)
                : Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, detail: "The web client is not built; approve the code with POST /auth/device/authorise."))
            .AllowAnonymous().ExcludeFromDescription();

        // The last resort for reads only: a POST to a path that exists with other content types must still reach its own
        // endpoint's 4xx, and other clients than browsers get a 404 for an unknown path, never the page.
        app.MapMethods(FallbackPattern, Reads, (HttpContext context) =>
                files is not null && WantsPage(context.Request) && IsClientRoute(context.Request.Path)
                    ? Index(context, files)
                    : Results.Problem(statusCode: StatusCodes.Status404NotFound, detail: $"No resource at {context.Request.Path}."))
            .AllowAnonymous().ExcludeFromDescription()
            .Add(endpoint => ((RouteEndpointBuilder)endpoint).Order = int.MaxValue);
        return app;
    }

    private static bool WantsPage(HttpRequest request) =>
        request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase);

    private static bool IsClientRoute(PathString path) =>
        !ReservedPrefixes.Any(prefix => path.StartsWithSegments(prefix, StringComparison.OrdinalIgnoreCase));

    private static IResult Index(HttpContext context, WebClientFiles files)
    {
        context.Response.Headers.CacheControl = "no-cache";
        return Results.File(files.IndexPath, "text/html; charset=utf-8");
    }
}
