using Microsoft.Extensions.DependencyInjection.Extensions;

namespace OrbitGrains.WebFrontend.Relay;

public static class RelayServiceCollectionExtensions
{
    public static IServiceCollection AddRelay(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(RelayOptions.FromConfiguration(configuration));
        services.AddSingleton<RelayConnectionHub>();
        services.AddHostedService(sp => sp.GetRequiredService<RelayConnectionHub>());
        // Try: a host that brings its own authenticator (the tests of the protocol alone do) keeps it.
        services.TryAddSingleton<IRelayAuthenticator, AccountsRelayAuthenticator>();
        return services;
    }
}
