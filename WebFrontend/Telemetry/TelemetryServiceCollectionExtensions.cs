using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace OrbitGrains.WebFrontend.Telemetry;

public static class TelemetryServiceCollectionExtensions
{
    /// <summary>
    /// The product's meter always; OpenTelemetry export only when an OTLP endpoint is configured
    /// (OTEL_EXPORTER_OTLP_ENDPOINT, with the exporter's other standard OTEL_* settings), so a laptop run sends nothing.
    /// Exported: HTTP server and Kestrel metrics, Orleans' own meter and the product's; traces of HTTP requests and
    /// grain calls.
    /// </summary>
    public static IServiceCollection AddOrbitTelemetry(this IServiceCollection services, IConfiguration configuration, string instanceId)
    {
        services.AddSingleton<OrbitMetrics>();
        if (string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            return services;
        }

        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(
                configuration["OTEL_SERVICE_NAME"] is { Length: > 0 } name ? name : "orbitgrains", serviceInstanceId: instanceId))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddMeter(OrbitMetrics.MeterName, "Microsoft.Orleans", "Microsoft.AspNetCore.Server.Kestrel")
                .AddOtlpExporter())
            .WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation()
                .AddSource("Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application")
                .AddOtlpExporter());
        return services;
    }
}
