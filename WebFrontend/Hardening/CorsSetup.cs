using OrbitGrains.Hosting;
using OrbitGrains.WebFrontend.Pipeline;

namespace OrbitGrains.WebFrontend.Hardening;

/// <summary>
/// Two CORS policies, by route group. <see cref="Product"/> (CORS_ORIGINS, spec orbit.md) covers the account, relay,
/// rooms, health and admin API routes, so a web client on its own origin can call them; `*` allows any origin but
/// never with credentials, and every answer varies by Origin. <see cref="Operator"/> (security.cors of the operator
/// configuration, spec operator.md) covers the operator console's `/api/v1` routes and is off unless enabled there.
/// A route without either (the dashboard, its sign-in form) never answers a cross-origin preflight.
/// </summary>
public static class CorsSetup
{
    public const string Product = "product";
    public const string Operator = "operator";

    public static IServiceCollection AddOrbitCors(this IServiceCollection services, CorsOptions operatorCors, string[] productOrigins)
    {
        var any = productOrigins.Contains("*");
        var allowed = productOrigins.ToHashSet(StringComparer.OrdinalIgnoreCase);
        services.AddCors(options =>
        {
            options.AddPolicy(Product, policy =>
            {
                // A predicate rather than a list (or "*"): the asking origin is echoed and every answer says
                // `Vary: Origin`, so no cache hands one origin's answer to another.
                policy.SetIsOriginAllowed(origin => any || allowed.Contains(origin));

                // Bearer tokens, not cookies: credentials are never allowed cross-origin.
                policy.AllowAnyMethod().AllowAnyHeader()
                    .WithExposedHeaders("Retry-After", "WWW-Authenticate", "Location", "X-Total-Count")
                    .SetPreflightMaxAge(TimeSpan.FromMinutes(10));
            });

            if (operatorCors.Enabled)
            {
                options.AddPolicy(Operator, policy => ConfigureOperator(policy, operatorCors));
            }
        });
        return services;
    }

    /// <summary>
    /// The operator console's own policy on its group. When it is off the group gets no CORS metadata at all, so a
    /// preflight matches no route (405) rather than reaching a handler.
    /// </summary>
    public static TBuilder WithOperatorCors<TBuilder>(this TBuilder builder, CorsOptions operatorCors) where TBuilder : IEndpointConventionBuilder =>
        operatorCors.Enabled ? builder.RequireCors(Operator) : builder;

    /// <summary>CORS_ORIGINS: a comma list of origins (scheme://host[:port]) or `*`; refused at start-up when malformed.</summary>
    public static string[] ProductOrigins(IConfiguration configuration)
    {
        var entries = (configuration["CORS_ORIGINS"] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(e => e.TrimEnd('/')).ToArray();
        foreach (var entry in entries)
        {
            if (entry != "*" && (!Uri.TryCreate(entry, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
                || uri.AbsolutePath != "/" || uri.Query.Length > 0))
            {
                throw new OrbitConfigurationException($"CORS_ORIGINS entry '{entry}' is not an origin such as https://app.example.com (or *).");
            }
        }

        return entries;
    }

    private static void ConfigureOperator(Microsoft.AspNetCore.Cors.Infrastructure.CorsPolicyBuilder policy, CorsOptions cors)
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
    }
}
