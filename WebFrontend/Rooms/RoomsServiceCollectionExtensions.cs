using OrbitGrains.Rooms;
using OrbitGrains.WebFrontend.Sockets;

namespace OrbitGrains.WebFrontend.Rooms;

public static class RoomsServiceCollectionExtensions
{
    public static IServiceCollection AddRooms(this IServiceCollection services, IConfiguration configuration, bool isDevelopment)
    {
        var options = RoomsOptions.FromConfiguration(configuration, isDevelopment);
        services.AddSingleton(options);
        services.AddSingleton<RoomConnectionHub>();
        services.AddHostedService(sp => sp.GetRequiredService<RoomConnectionHub>());
        services.AddSingleton<RoomTokens>();
        services.AddSingleton<StaticTokens>();
        services.AddSingleton<TurnCredentials>();
        services.AddSingleton<RoomRateLimits>();
        services.AddSingleton<RoomAuthFailures>();
        services.AddHostedService(sp => sp.GetRequiredService<RoomAuthFailures>());
        services.AddSingleton(sp => new RoomSocketContext(
            sp.GetRequiredService<IGrainFactory>(),
            sp.GetRequiredService<RoomConnectionHub>(),
            sp.GetRequiredService<OrbitGrains.WebFrontend.Hosting.Access.AccountSockets>(),
            sp.GetRequiredService<RoomAuthFailures>(),
            sp.GetRequiredService<TurnCredentials>(),
            sp.GetRequiredService<RoomRateLimits>(),
            options,
            new SocketLimits(options.MaxMessageBytes, options.MaxQueuedBytes, options.MessagesPerSecond, (code, detail) => RoomFrames.Error(code, detail))
            {
                CloseOnFirstRateViolation = true,
                ExplainTooLarge = true,
            },
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("OrbitGrains.Rooms")));
        return services;
    }

    public static IEndpointRouteBuilder MapRooms(this IEndpointRouteBuilder app)
    {
        app.MapRoomApi();
        app.MapRoomSocket();
        app.MapRoomAdmin();
        return app;
    }
}
