using OrbitGrains.WebFrontend.Pipeline;

namespace OrbitGrains.WebFrontend.Hardening;

/// <summary>
/// CORS from security.cors. Off by default: then no CORS middleware runs at all, so a cross-origin preflight finds
/// no handler and no Access-Control-* header is ever sent.
/// </summary>
public static class CorsSetup
{
    public static IServiceCollection AddOrbitCors(this IServiceCollection services, CorsOptions cors)
    {
        if (!cors.Enabled)
        {
            return services;
        }

        services.AddCors(options => options.AddDefaultPolicy(policy =>
        {
            if (cors.AllowOrigins.Contains("*"))
            {
                policy.AllowAnyOrigin();
            }
            else
            {
                policy.WithOrigins(cors.AllowOrigins.Select(o => o.TrimEnd('/')).ToArray());
            }

            if (cors.AllowMethods.Count == 0 || cors.AllowMethods.Contains("*"))
            {
                policy.AllowAnyMethod();
            }
            else
            {
                policy.WithMethods(cors.AllowMethods.ToArray());
            }

            if (cors.AllowHeaders.Count == 0 || cors.AllowHeaders.Contains("*"))
            {
                policy.AllowAnyHeader();
            }
            else
            {
                policy.WithHeaders(cors.AllowHeaders.ToArray());
            }

            if (cors.AllowCredentials)
            {
                policy.AllowCredentials();
            }

            policy.WithExposedHeaders(["Retry-After", "X-Total-Count", .. cors.ExposeHeaders]).SetPreflightMaxAge(TimeSpan.FromSeconds(cors.MaxAge));
        }));
        return services;
    }

    public static IApplicationBuilder UseOrbitCors(this IApplicationBuilder app, CorsOptions cors) =>
        cors.Enabled ? app.UseCors() : app;
}
