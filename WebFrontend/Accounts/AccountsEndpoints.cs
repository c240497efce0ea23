using Microsoft.Extensions.DependencyInjection.Extensions;
using OrbitGrains.WebFrontend.Accounts.Passkeys;
using OrbitGrains.WebFrontend.Hosting.Access;

namespace OrbitGrains.WebFrontend.Accounts;

public static class AccountsEndpoints
{
    public static IServiceCollection AddAccounts(this IServiceCollection services, IConfiguration configuration, bool isDevelopment)
    {
        services.AddSingleton(ControlPlaneToken.Load(configuration, isDevelopment));
        services.AddSingleton<UserTokenService>();
        services.AddSingleton(AccountsOptions.Load(configuration));
        services.AddSingleton<RefreshChains>();
        services.AddHttpContextAccessor();
        services.AddSingleton<WebTokenService>();
        // The watch is shared with the sockets (AddOrbitAccess): one per front end, whichever registers it first.
        services.TryAddSingleton<AccountWatch>();
        services.AddSingleton<WebSessionCache>();
        services.AddHostedService(sp => sp.GetRequiredService<WebSessionCache>());
        services.AddSingleton<AnchorTokenService>();
        services.AddSingleton<AccountRegistry>();
        services.AddSingleton<PasswordHashing>();
        services.AddSingleton<AttemptThrottle>();
        services.AddPasskeys(configuration);
        return services;
    }

    /// <summary>The `/auth/*` routes of the Orbit contract (sessions, basic, device flow, passkeys) and the other families' sign-in routes.</summary>
    public static IEndpointRouteBuilder MapAccounts(this IEndpointRouteBuilder app)
    {
        // Each route says whether it is public; those that are not answer refusals in the Orbit shape.
        var auth = app.MapGroup("/auth").WithTags("Accounts").DisableAntiforgery().WithRefusals(RefusalStyle.Orbit);
        auth.MapSessions();
        auth.MapBasicAuth();
        auth.MapDeviceFlow();
        auth.MapPasskeys();
        auth.MapAccountSelf();
        auth.MapMySessions();
        app.MapUserTokens();
        app.MapEmailAuth();
        return app;
    }
}
