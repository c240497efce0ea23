using Microsoft.Extensions.DependencyInjection.Extensions;

namespace OrbitGrains.WebFrontend.Relay;

public static class RelayServiceCollectionExtensions
{
    public static IServiceCollection AddRelay(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(RelayOptions.FromConfiguration(configuration));
        services.AddSingleton<RelayConnectionHub>();
        services.AddHostedService(sp => sp.GetRequiredService<RelayConnectionHub>());
        services.TryAddSingleton<IRelayAuthenticator, RefusingRelayAuthenticator>();
        return services;
    }

    /// <summary>Used only until an account system is registered: no token is valid, so every socket gets 401.</summary>
    private sealed class RefusingRelayAuthenticator : IRelayAuthenticator
    {
        public ValueTask<string?> AuthenticateClientAsync(string token, CancellationToken cancellationToken) => ValueTask.FromResult<string?>(null);

        public ValueTask<string?> AuthenticateAnchorAsync(string token, CancellationToken cancellationToken) => ValueTask.FromResult<string?>(null);
    }
}
