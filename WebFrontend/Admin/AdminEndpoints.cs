using Microsoft.AspNetCore.Authentication;
using Orleans.Dashboard;
using OrbitGrains.Hosting;
using OrbitGrains.WebFrontend.Hosting;
using OrbitGrains.WebFrontend.Hosting.Access;
using OrbitGrains.WebFrontend.Hosting.Bodies;

namespace OrbitGrains.WebFrontend.Admin;

/// <summary>The Orleans dashboard behind the admin policy, and a sign-in form so a browser can reach it.</summary>
public static class AdminEndpoints
{
    public const string DashboardPath = "/dashboard";
    public const string LoginPath = "/admin/login";
    private const int MaxTokenLength = 1024;
    private const int MaxFormBytes = 4 * 1024;

    public static IEndpointRouteBuilder MapAdmin(this IEndpointRouteBuilder app)
    {
        // The dashboard's own page and data routes serve its page, not API clients: not in the OpenAPI document.
        // ORLEANS_DASHBOARD=false leaves the silo without it, and /dashboard unmapped (404).
        if (app.ServiceProvider.GetRequiredService<OrbitClusterSettings>().Dashboard)
        {
            app.MapOrleansDashboard(DashboardPath).RequireAuthorization(OrbitPolicies.Admin).WithRefusals(RefusalStyle.Dashboard).AddEndpointFilter(DashboardGuard.FilterAsync)
                .ExcludeFromDescription();
        }

        // The sign-in form itself must be reachable without signing in.
        var admin = app.MapGroup("/admin").WithTags("Admin").AllowAnonymous();
        admin.MapGet("/login", (HttpContext context) => Results.Content(LoginPage(error: false), "text/html; charset=utf-8"))
            .ExcludeFromDescription();
        admin.MapPost("/login", SignInAsync).DisableAntiforgery().ExcludeFromDescription();
        admin.MapPost("/logout", async (HttpContext context) =>
        {
            await context.SignOutAsync(OrbitAuthSchemes.AdminCookie);
            return Results.Redirect(LoginPath);
        }).DisableAntiforgery().ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> SignInAsync(HttpContext context, OrbitSecrets secrets)
    {
        var (form, refusal) = await RequestBodies.ReadFormAsync(context, MaxFormBytes);
        if (refusal is not null)
        {
            return Errors.Of(ErrorShape.Detail, refusal.Status, refusal.Message);
        }

        var token = form!.TryGetValue("token", out var given) ? given.ToString().Trim() : "";
        if (token.Length is 0 or > MaxTokenLength || !secrets.IsAdminToken(token))
        {
            return Results.Content(LoginPage(error: true), "text/html; charset=utf-8", statusCode: StatusCodes.Status401Unauthorized);
        }

        await context.SignInAsync(OrbitAuthSchemes.AdminCookie, OrbitPrincipals.ForAdmin(OrbitAuthSchemes.AdminCookie));
        return Results.Redirect(DashboardPath + "/");
    }

    private static string LoginPage(bool error) => $$"""
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>OrbitGrains admin</title>
        <style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:4rem auto;padding:0 1rem}
        input,button{font-size:1rem;padding:.5rem;width:100%;box-sizing:border-box;margin-top:.5rem}.e{color:#b00}</style></head>
        <body><h1>OrbitGrains admin</h1>
        <p>Sign in with the admin token to open the cluster dashboard.</p>
        {{(error ? "<p class=\"e\">That token is not valid.</p>" : "")}}
        <form method="post" action="{{LoginPath}}">
        <label for="token">Admin token</label>
        <input id="token" name="token" type="password" autocomplete="current-password" required>
        <button type="submit">Sign in</button></form></body></html>
        """;
}
