using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Net.Http.Headers;

namespace OrbitGrains.WebFrontend.Admin;

public static class AdminAuthenticationExtensions
{
    public static IServiceCollection AddOrbitAuthentication(this IServiceCollection services)
    {
        services.AddAuthentication(OrbitAuthSchemes.Selector)
            .AddPolicyScheme(OrbitAuthSchemes.Selector, "Bearer or admin cookie", options =>
            {
                options.ForwardDefaultSelector = context =>
                    context.Request.Headers.ContainsKey(HeaderNames.Authorization) ? OrbitAuthSchemes.Bearer : OrbitAuthSchemes.AdminCookie;
                // API callers get 401 + WWW-Authenticate; a person in a browser is sent to the login form instead.
                options.ForwardChallenge = null;
            })
            .AddScheme<AuthenticationSchemeOptions, BearerAuthenticationHandler>(OrbitAuthSchemes.Bearer, _ => { })
            .AddCookie(OrbitAuthSchemes.AdminCookie, options =>
            {
                options.Cookie.Name = "orbit_admin";
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = Microsoft.AspNetCore.Http.SameSiteMode.Strict;
                options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                options.ExpireTimeSpan = TimeSpan.FromHours(8);
                options.SlidingExpiration = false;
                options.LoginPath = AdminEndpoints.LoginPath;
                options.Events.OnRedirectToLogin = context =>
                {
                    if (WantsHtml(context.Request))
                    {
                        context.Response.Redirect(context.RedirectUri);
                    }
                    else
                    {
                        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                        context.Response.Headers.WWWAuthenticate = "Bearer";
                    }

                    return Task.CompletedTask;
                };
                options.Events.OnRedirectToAccessDenied = context =>
                {
                    context.Response.StatusCode = StatusCodes.Status403Forbidden;
                    return Task.CompletedTask;
                };
            });

        services.AddAuthorizationBuilder()
            .AddPolicy(OrbitAuthSchemes.AdminPolicy, policy => policy
                .AddAuthenticationSchemes(OrbitAuthSchemes.Bearer, OrbitAuthSchemes.AdminCookie)
                .RequireAuthenticatedUser()
                .RequireRole(OrbitAuthSchemes.AdminRole));
        return services;
    }

    private static bool WantsHtml(HttpRequest request) =>
        request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase);
}
