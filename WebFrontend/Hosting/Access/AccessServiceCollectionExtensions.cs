using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;

namespace OrbitGrains.WebFrontend.Hosting.Access;

public static class AccessServiceCollectionExtensions
{
    /// <summary>
    /// The one authentication and authorization layer: a handler per credential kind, the <see cref="OrbitAuthSchemes.Default"/>
    /// selector over them, the named policies with an authenticated fallback, and refusals in each family's shape; and
    /// the leases that end long-lived requests with their access (<see cref="AccessLeases"/>, MAX_OPEN_STREAMS_PER_USER).
    /// </summary>
    public static IServiceCollection AddOrbitAccess(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(AccessLeases.FromConfiguration(configuration));
        services.AddSingleton<CredentialSelector>();
        services.AddSingleton<SignInChecks>();
        services.TryAddSingleton<AccountWatch>();
        services.AddSingleton<AccountSockets>();
        services.AddSingleton<UserStreamTickets>();
        services.AddHostedService(sp => sp.GetRequiredService<AccountSockets>());
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, OrbitAuthorizationResultHandler>();

        // No default authenticate scheme: each endpoint's policy names the schemes that run, so a route that takes one
        // kind (an Anchor's socket) never has another kind's handler look its token up first.
        var authentication = services.AddAuthentication(options =>
        {
            options.DefaultChallengeScheme = OrbitAuthSchemes.Default;
            options.DefaultForbidScheme = OrbitAuthSchemes.Default;
        });
        authentication.AddPolicyScheme(OrbitAuthSchemes.Default, "The credential kind the request carries", options =>
            options.ForwardDefaultSelector = context => context.RequestServices.GetRequiredService<CredentialSelector>().SchemeFor(context));
        authentication.AddCredential<WebSessionAuthenticationHandler>(OrbitAuthSchemes.WebSession);
        authentication.AddCredential<UserTokenAuthenticationHandler>(OrbitAuthSchemes.UserToken);
        authentication.AddCredential<AnchorTokenAuthenticationHandler>(OrbitAuthSchemes.AnchorToken);
        authentication.AddCredential<RoomTokenAuthenticationHandler>(OrbitAuthSchemes.RoomToken);
        authentication.AddCredential<StaticTokenAuthenticationHandler>(OrbitAuthSchemes.StaticToken);
        authentication.AddCredential<AdminTokenAuthenticationHandler>(OrbitAuthSchemes.AdminToken);
        authentication.AddCredential<AgentTokenAuthenticationHandler>(OrbitAuthSchemes.AgentToken);
        authentication.AddCredential<ControlPlaneAuthenticationHandler>(OrbitAuthSchemes.ControlPlane);
        authentication.AddCredential<UserStreamTicketAuthenticationHandler>(OrbitAuthSchemes.UserStreamTicket);
        authentication.AddCookie(OrbitAuthSchemes.AdminCookie, options =>
        {
            options.Cookie.Name = OrbitAuthorizationResultHandler.AdminCookieName;
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Strict;
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.ExpireTimeSpan = TimeSpan.FromHours(8);
            options.SlidingExpiration = false;
            options.LoginPath = Admin.AdminEndpoints.LoginPath;
        });

        OrbitPolicies.Register(services.AddAuthorizationBuilder());
        return services;
    }

    /// <summary>Registers one credential kind: its scheme name and its handler.</summary>
    public static AuthenticationBuilder AddCredential<THandler>(this AuthenticationBuilder authentication, string scheme)
        where THandler : CredentialAuthenticationHandler =>
        authentication.AddScheme<AuthenticationSchemeOptions, THandler>(scheme, _ => { });
}
