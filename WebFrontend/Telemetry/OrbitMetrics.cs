using System.Diagnostics.Metrics;
using OrbitGrains.Telemetry;
using OrbitGrains.WebFrontend.Health;

namespace OrbitGrains.WebFrontend.Telemetry;

/// <summary>
/// The front end's socket instruments, on the product's meter (<see cref="OrbitMeter"/>): what this front end's
/// sockets carry. Counted once per fan-out (not per frame), so the hot path pays one add per message.
/// </summary>
public sealed class OrbitMetrics
{
    public const string MeterName = OrbitMeter.Name;

    private readonly Counter<long> _deliveries;
    private readonly Counter<long> _refused;
    private readonly Histogram<double> _renewals;

    public OrbitMetrics(OrbitMeter orbit, ConnectionCounters connections)
    {
        var meter = orbit.Meter;
        _deliveries = meter.CreateCounter<long>("orbitgrains.socket.deliveries", "{frame}",
            "Frames queued to this front end's sockets by a fan-out, by family.");
        _refused = meter.CreateCounter<long>("orbitgrains.socket.refused", "{frame}",
            "Frames a socket refused because it was closing or its peer had fallen too far behind, by family.");
        _renewals = meter.CreateHistogram<double>("orbitgrains.hub.renewal.duration", "s",
            "How long one lease renewal of this front end's socket hub took, from collecting what it holds to the last " +
            "grain's answer, by family: summed over a period and divided by it, an upper bound of the share of a core the " +
            "hub's presence costs.");
        meter.CreateObservableGauge("orbitgrains.socket.open", () => new[]
        {
            Open(connections, ConnectionKind.Client, "relay", "client"),
            Open(connections, ConnectionKind.Anchor, "relay", "anchor"),
            Open(connections, ConnectionKind.RoomParticipant, "rooms", "room_participant"),
            Open(connections, ConnectionKind.VncProxy, "cloud", "vnc"),
            Open(connections, ConnectionKind.GatewayProxy, "cloud", "cloudbot"),
        }, "{socket}", "Open sockets on this front end, by family and kind.");
    }

    public void Fanout(string family, int queued, int refused)
    {
        var tag = new KeyValuePair<string, object?>("family", family);
        _deliveries.Add(queued, tag);
        if (refused > 0)
        {
            _refused.Add(refused, tag);
        }
    }

    /// <summary>Records one hub lease renewal of <paramref name="family"/> ("relay", "rooms") that took <paramref name="elapsed"/>.</summary>
    public void Renewed(string family, TimeSpan elapsed) =>
        _renewals.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("family", family));

    private static Measurement<long> Open(ConnectionCounters connections, ConnectionKind kind, string family, string name) =>
        new(connections[kind], new KeyValuePair<string, object?>("family", family), new KeyValuePair<string, object?>("kind", name));
}
