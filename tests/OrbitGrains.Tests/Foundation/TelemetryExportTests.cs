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
    private const string AdminToken = "otel-test-admin-token-0123456789abcdefgh";

    [Fact]
    public async Task With_an_otlp_endpoint_the_product_exports_http_orleans_and_socket_metrics_and_request_traces()
    {
        // A real process configured by environment variables, as an operator runs it. Inside this test runner the
        // exporter shared its thread pool with every other test's hosts and collected, every 300 ms, their instruments
        // too (meters are matched by name, process-wide); in one loaded CI run (2026-12-07) nothing it needed arrived
        // within 30 s, so the test measured the suite rather than the product.
        await using var collector = await Collector.StartAsync();
        using var data = new TempDirectory("otel");
        await using var node = ProductNode.EmbeddedFrontEnd("otel-front", data.Path, AdminToken, new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Address,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "300",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
        });
        node.Start();
        await node.WaitReadyAsync(TimeSpan.FromMinutes(2));
        using var http = new HttpClient { BaseAddress = node.HttpAddress, Timeout = TimeSpan.FromSeconds(30) };

        // A room fan-out (the legacy room, the development demo token) and a plain request.
        await using var a = await LegacyRoom.ConnectAsync(node.HttpAddress, "/ws?token=demo_token_123");
        await using var b = await LegacyRoom.ConnectAsync(node.HttpAddress, "/ws?token=demo_token_123");
        await a.SendTextAsync("""{"type":"smoke","payload":{"n":1}}""");
        await b.NextOfTypeAsync("smoke");
        (await http.GetAsync("/health")).EnsureSuccessStatusCode();

        string[] instruments = ["orbitgrains.socket.deliveries", "orbitgrains.socket.open", "http.server.request.duration", "Microsoft.Orleans"];
        await WaitAsync(collector, node, () => instruments.All(name => collector.Received("/v1/metrics", name)),
            "the product's, ASP.NET Core's and Orleans' instruments exported");
        await WaitAsync(collector, node, () => collector.Received("/v1/traces", "/health"), "a span for the /health request exported");
        // Waited for rather than read once: the export that first carries the instrument can come before the one with
        // the fan-out's measurements.
        await WaitAsync(collector, node, () => collector.Received("/v1/metrics", "rooms"), "deliveries carry their family");
    }

    /// <summary>Waits for <paramref name="condition"/>; on a timeout, says what the collector got and what the product logged.</summary>
    private static async Task WaitAsync(Collector collector, ProductNode node, Func<bool> condition, string what)
    {
        try
        {
            await Eventually.TrueAsync(condition, what, TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException timeout)
        {
            throw new TimeoutException($"{timeout.Message} Collector: {collector.Describe()}\n{node.Tail()}", timeout);
        }
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

        /// <summary>How many bodies arrived on each path, and the size of the last.</summary>
        public string Describe() => string.Join("; ", _bodies.GroupBy(b => b.Path)
            .Select(g => $"{g.Key}: {g.Count()} bodies, last {g.Last().Body.Length} bytes"));

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }
}
