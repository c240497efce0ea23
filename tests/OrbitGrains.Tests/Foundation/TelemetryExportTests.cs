using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using System.Diagnostics.Metrics;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using OrbitGrains.WebFrontend.Telemetry;

namespace OrbitGrains.Tests.Foundation;

/// <summary>
/// OpenTelemetry export, end to end: the product sends OTLP over HTTP to a collector stand-in on loopback, which
/// keeps the raw protobuf bodies; instrument and span names travel as plain UTF-8 inside them.
/// </summary>
public sealed class TelemetryExportTests
{
    [Fact]
    public async Task With_an_otlp_endpoint_the_product_exports_http_orleans_and_socket_metrics_and_request_traces()
    {
        await using var collector = await Collector.StartAsync();
        using var data = new TempDirectory("otel");
        var configuration = RunningHost.IsolatedConfiguration(data.Path, "otel");
        configuration["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Address;
        configuration["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
        configuration["OTEL_METRIC_EXPORT_INTERVAL"] = "300";
        configuration["OTEL_BSP_SCHEDULE_DELAY"] = "200";
        await using var host = await RunningHost.StartFrontEndAsync(configuration, environment: "Development");

        // A room fan-out (the legacy room, the development demo token) and a plain request.
        await using var a = await LegacyRoom.ConnectAsync(host.BaseAddress, "/ws?token=demo_token_123");
        await using var b = await LegacyRoom.ConnectAsync(host.BaseAddress, "/ws?token=demo_token_123");
        await a.SendTextAsync("""{"type":"smoke","payload":{"n":1}}""");
        await b.NextOfTypeAsync("smoke");
        (await host.Http.GetAsync("/health")).EnsureSuccessStatusCode();

        await Eventually.TrueAsync(() => Task.FromResult(
                collector.Received("/v1/metrics", "orbitgrains.socket.deliveries")
                && collector.Received("/v1/metrics", "orbitgrains.socket.open")
                && collector.Received("/v1/metrics", "http.server.request.duration")
                && collector.Received("/v1/metrics", "Microsoft.Orleans")),
            "the product's, ASP.NET Core's and Orleans' instruments exported", TimeSpan.FromSeconds(30));
        await Eventually.TrueAsync(() => Task.FromResult(collector.Received("/v1/traces", "/health")),
            "a span for the /health request exported", TimeSpan.FromSeconds(30));
        // Waited for rather than read once: on a loaded machine the export that first carries the instrument can come
        // before the one with the fan-out's measurements.
        await Eventually.TrueAsync(() => Task.FromResult(collector.Received("/v1/metrics", "rooms")),
            "deliveries carry their family", TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Without_an_otlp_endpoint_nothing_is_pushed_but_the_products_meter_still_counts()
    {
        using var data = new TempDirectory("otel-off");
        await using var host = await RunningHost.StartFrontEndAsync(RunningHost.IsolatedConfiguration(data.Path, "otel-off"), environment: "Development");
        // Metrics are collected for the Prometheus scrape only; no traces, no OTLP push.
        Assert.Null(host.Services.GetService<TracerProvider>());
        Assert.NotNull(host.Services.GetService<MeterProvider>());

        // The meter is there for any listener (dotnet-counters, a test): a room fan-out is counted.
        using var listener = new MeterListener();
        var meters = host.Services.GetRequiredService<IMeterFactory>();
        long deliveries = 0;
        listener.InstrumentPublished = (instrument, l) =>
        {
            // This host's meter only (its IMeterFactory is the scope): other tests' hosts in this process count too.
            if (instrument.Meter.Scope == meters && instrument.Name == "orbitgrains.socket.deliveries")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref deliveries, value));
        listener.Start();

        await using var a = await LegacyRoom.ConnectAsync(host.BaseAddress, "/ws?token=demo_token_123");
        await using var b = await LegacyRoom.ConnectAsync(host.BaseAddress, "/ws?token=demo_token_123");
        await a.SendTextAsync("""{"type":"smoke","payload":{"n":2}}""");
        await b.NextOfTypeAsync("smoke");
        await Eventually.TrueAsync(() => Interlocked.Read(ref deliveries) >= 1, "the fan-out counted");
    }

    /// <summary>Accepts OTLP/HTTP posts on any path and keeps their bodies.</summary>
    private sealed class Collector : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly ConcurrentQueue<(string Path, byte[] Body)> _bodies = new();

        private Collector(WebApplication app) => _app = app;

        public string Address { get; private set; } = "";

        public static async Task<Collector> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            var collector = new Collector(app);
            app.MapPost("/{**path}", async (HttpContext context) =>
            {
                using var body = new MemoryStream();
                await context.Request.Body.CopyToAsync(body);
                collector._bodies.Enqueue((context.Request.Path.Value ?? "", body.ToArray()));
                return Results.Ok();
            });
            await app.StartAsync();
            collector.Address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
            return collector;
        }

        public bool Received(string path, string text)
        {
            var needle = Encoding.UTF8.GetBytes(text);
            return _bodies.Any(b => b.Path == path && b.Body.AsSpan().IndexOf(needle) >= 0);
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }
}
