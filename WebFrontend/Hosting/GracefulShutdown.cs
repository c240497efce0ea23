using OrbitGrains.Hosting;

namespace OrbitGrains.WebFrontend.Hosting;

/// <summary>
/// How a front end stops (SIGTERM from an orchestrator, systemd or <c>deploy/local-cluster.sh roll</c>; Ctrl+C), in order:
/// <list type="number">
/// <item>At once: <c>/readyz</c> answers 503, every open WebSocket is told to go with close code 1001 (Going Away,
/// RFC 6455 §7.4.1; registered on <see cref="IHostApplicationLifetime.ApplicationStopping"/> by each rooms socket and
/// instance proxy, and once by the relay's hub for all of its sockets)
/// and SSE streams end, so clients reconnect to another front end and replay from their last id; new WebSocket and SSE
/// requests get 503 with <c>Retry-After</c>, and every answer carries <c>Connection: close</c>.</item>
/// <item>For SHUTDOWN_DRAIN_SEC (default 0) plain requests are still served: a load balancer that has not yet
/// heard of the stop loses nothing. Kubernetes' preStop hook plays that part in deploy/k8s.</item>
/// <item>Kestrel stops listening and waits for the requests in flight to finish.</item>
/// <item>The silo leaves the cluster: its grains deactivate (state written), the membership table says so, and their
/// next calls activate them on the remaining silos.</item>
/// </list>
/// The host's shutdown timeout is at least the drain plus <see cref="StopAllowance"/>.
/// </summary>
public static class GracefulShutdown
{
    /// <summary>Time for in-flight requests and the silo's own stop after the drain.</summary>
    public static readonly TimeSpan StopAllowance = TimeSpan.FromSeconds(30);

    public static IServiceCollection AddGracefulShutdown(this IServiceCollection services, IConfiguration configuration)
    {
        var drain = DrainTime(configuration);
        services.Configure<HostOptions>(options =>
        {
            if (options.ShutdownTimeout < drain + StopAllowance)
            {
                options.ShutdownTimeout = drain + StopAllowance;
            }
        });
        services.AddSingleton<IHostedService>(services => new Drain(drain, services.GetRequiredService<ILogger<Drain>>()));
        return services;
    }

    /// <summary>After <c>UseWebSockets</c> (which tells a WebSocket request apart) and the status-code pages (which give the 503 its body).</summary>
    public static void UseGracefulShutdown(this WebApplication app)
    {
        var stopping = app.Lifetime.ApplicationStopping;
        app.Use((context, next) =>
        {
            if (!stopping.IsCancellationRequested)
            {
                return next(context);
            }

            // Kestrel closes the connection after this answer: the client's next request opens one, to another node.
            context.Response.Headers.Connection = "close";
            if (!context.WebSockets.IsWebSocketRequest && !IsEventStream(context.Request))
            {
                return next(context);
            }

            context.Response.Headers.RetryAfter = "1";
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return Task.CompletedTask;
        });
    }

    /// <summary>SHUTDOWN_DRAIN_SEC: 0 to 300 seconds.</summary>
    public static TimeSpan DrainTime(IConfiguration configuration)
    {
        var value = configuration["SHUTDOWN_DRAIN_SEC"];
        if (string.IsNullOrWhiteSpace(value))
        {
            return TimeSpan.Zero;
        }

        return int.TryParse(value, out var seconds) && seconds is >= 0 and <= 300
            ? TimeSpan.FromSeconds(seconds)
            : throw new OrbitConfigurationException($"SHUTDOWN_DRAIN_SEC='{value}' is not a number of seconds from 0 to 300.");
    }

    private static bool IsEventStream(HttpRequest request) =>
        request.Headers.Accept.Any(accept => accept?.Contains("text/event-stream", StringComparison.OrdinalIgnoreCase) == true);

    /// <summary>Runs in the host's stopping phase, before any hosted service (the web server included) stops.</summary>
    private sealed class Drain(TimeSpan drain, ILogger<Drain> logger) : IHostedLifecycleService
    {
        public async Task StoppingAsync(CancellationToken cancellationToken)
        {
            if (drain <= TimeSpan.Zero)
            {
                return;
            }

            logger.LogInformation("Stopping: new sockets refused, open ones told to go; serving plain requests for {Drain} s more.", drain.TotalSeconds);
            try
            {
                await Task.Delay(drain, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // The host's shutdown timeout ran out: stop now.
            }
        }

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
