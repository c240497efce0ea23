using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using OrbitGrains.Hosting;

namespace OrbitGrains.Telemetry;

/// <summary>
/// Metrics and traces of both hosts. Metrics are always collected for Prometheus (<see cref="MetricsPath"/>, text
/// exposition format 0.0.4): HTTP server and Kestrel, Orleans (<c>Microsoft.Orleans</c>: grain calls, activations,
/// storage read/write latency and errors, membership) and the product's <see cref="OrbitMeter"/>. With
/// OTEL_EXPORTER_OTLP_ENDPOINT set (and the exporter's other standard OTEL_* settings) the same metrics and traces of
/// HTTP requests and grain calls are also pushed over OTLP; without it a laptop run sends nothing anywhere.
/// </summary>
public static class OrbitTelemetry
{
    public const string MetricsPath = "/metrics";

    /// <summary>The meters exported besides ASP.NET Core's own (added by its instrumentation).</summary>
    public static readonly string[] Meters = [OrbitMeter.Name, "Microsoft.Orleans", "Microsoft.AspNetCore.Server.Kestrel"];

    /// <summary>Instruments of Kestrel's memory pool (meter <c>Microsoft.AspNetCore.MemoryPool</c>), never collected.</summary>
    public const string MemoryPoolInstruments = "aspnetcore.memory_pool.*";

    public static IServiceCollection AddOrbitTelemetry(this IServiceCollection services, IConfiguration configuration, string instanceId)
    {
        services.TryAddSingleton<OrbitMeter>();
        var otlp = !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(
                configuration["OTEL_SERVICE_NAME"] is { Length: > 0 } name ? name : "orbitgrains", serviceInstanceId: instanceId))
            .WithMetrics(metrics =>
            {
                // ASP.NET Core's instrumentation brings Kestrel's memory pool meter, whose counters move on every block
                // rented and returned: 3-4% of a core on a proxy moving 1.3 GB/s, and on every relayed frame. Dropped
                // streams are never listened to, so the pool's fast path skips them.
                metrics.AddAspNetCoreInstrumentation().AddMeter(Meters)
                    .AddView(MemoryPoolInstruments, MetricStreamConfiguration.Drop)
                    .AddPrometheusExporter();
                if (otlp)
                {
                    metrics.AddOtlpExporter();
                }
            });
        if (otlp)
        {
            telemetry.WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation()
                .AddSource("Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application")
                .AddOtlpExporter());
        }

        return services;
    }

    /// <summary>
    /// METRICS_PORT: a TCP port that serves only <see cref="MetricsPath"/>, without authentication, for a Prometheus
    /// server on a network the operator trusts; null when unset (the front end then serves it to admins only).
    /// </summary>
    public static int? MetricsPort(IConfiguration configuration)
    {
        var value = configuration["METRICS_PORT"];
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        return int.TryParse(value, out var port) && port is > 0 and < 65536
            ? port
            : throw new OrbitConfigurationException($"METRICS_PORT='{value}' is not a TCP port.");
    }

    /// <summary>
    /// Answers every request that arrived on <paramref name="port"/>: <see cref="MetricsPath"/> with the scrape, anything
    /// else 404, so opening that port to a scraper opens nothing more. First in the pipeline.
    /// </summary>
    public static void UseMetricsPort(this IApplicationBuilder app, int port) =>
        app.MapWhen(context => context.Connection.LocalPort == port, branch =>
        {
            branch.UseOpenTelemetryPrometheusScrapingEndpoint(MetricsPath);
            branch.Run(context =>
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            });
        });
}
