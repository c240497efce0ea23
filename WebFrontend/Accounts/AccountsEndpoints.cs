using OrbitGrains.WebFrontend.Accounts.Passkeys;

namespace OrbitGrains.WebFrontend.Accounts;

public static class AccountsEndpoints
{
    public static IServiceCollection AddAccounts(this IServiceCollection services, IConfiguration configuration, bool isDevelopment)
    {
        services.AddSingleton(ControlPlaneToken.Load(configuration, isDevelopment));
        services.AddSingleton<UserTokenService>();
        services.AddSingleton<OrbitGrains.WebFrontend.Rooms.IRoomIdentityResolver, AccountsRoomIdentityResolver>();
        services.AddSingleton(AccountsOptions.Load(configuration));
        services.AddSingleton<WebTokenService>();
        services.AddSingleton<AnchorTokenService>();
        services.AddSingleton<AccountRegistry>();
        services.AddSingleton<PasswordHashing>();
        services.AddSingleton<LoginThrottle>();
        services.AddPasskeys(configuration);
        return services;
    }

    /// <summary>The `/auth/*` routes of the Orbit contract (basic mode and device flow) and the socket preflights.</summary>
    public static IEndpointRouteBuilder MapAccounts(this IEndpointRouteBuilder app)
    {
        // These routes check their own tokens (Bearer or ?token=) and answer in the contract's shape, so the
        // bearer scheme's challenge must never answer for them.
        var auth = app.MapGroup("/auth").WithTags("Accounts").AllowAnonymous().DisableAntiforgery();
        auth.MapSessions();
        auth.MapBasicAuth();
        auth.MapDeviceFlow();
        auth.MapPasskeys();
        auth.MapAccountSelf();
        app.MapUserTokens();
        app.MapEmailAuth();
        return app;
    }
}
