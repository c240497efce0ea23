namespace OrbitGrains.WebFrontend.Relay;

public static class RelayServiceCollectionExtensions
{
    public static IServiceCollection AddRelay(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(RelayOptions.FromConfiguration(configuration));
        services.AddSingleton<RelayConnectionHub>();
        services.AddHostedService(sp => sp.GetRequiredService<RelayConnectionHub>());
        return services;
    }
}
