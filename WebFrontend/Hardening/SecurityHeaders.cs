using OrbitGrains.WebFrontend.Pipeline;

namespace OrbitGrains.WebFrontend.Hardening;

/// <summary>
/// The browser-facing headers on every response of the product, set when the response starts so that error
/// pages (whose handlers clear headers) carry them too.
/// </summary>
public static class SecurityHeaders
{
    // The dashboard and the API reference are script-driven pages with inline code; 'self' alone breaks them.
    private static readonly string[] PagePrefixes = ["/dashboard", "/docs", "/admin/login", "/admin/logout"];

    private const string PagePolicy =
        "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; style-src 'self' 'unsafe-inline' https:; " +
        "font-src 'self' data: https:; img-src 'self' data: https:; connect-src 'self'; frame-ancestors 'none'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app, SecurityHeadersOptions options)
    {
        if (!options.Enabled)
        {
            return app;
        }

        var frame = options.XFrameOptions.Trim().ToUpperInvariant();
        var hsts = $"max-age={options.HstsMaxAge}; includeSubDomains";
        var contentTypeOptions = options.XContentTypeOptions.Trim();
        var xssProtection = options.XXssProtection.Trim();
        return app.Use((context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                headers.XContentTypeOptions = contentTypeOptions;
                headers.XFrameOptions = frame;
                headers.XXSSProtection = xssProtection;
                headers.ContentSecurityPolicy = IsPage(context.Request.Path) ? PagePolicy : options.ContentSecurityPolicy;
                headers["Referrer-Policy"] = "no-referrer";
                if (context.Request.IsHttps)
                {
                    // Browsers ignore HSTS over plain HTTP, and sending it there would only mislead.
                    headers.StrictTransportSecurity = hsts;
                }

                return Task.CompletedTask;
            });
            return next(context);
        });
    }

    private static bool IsPage(PathString path) =>
        PagePrefixes.Any(prefix => path.StartsWithSegments(prefix, StringComparison.OrdinalIgnoreCase));
}
