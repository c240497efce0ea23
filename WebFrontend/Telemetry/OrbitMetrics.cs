using System.Diagnostics.Metrics;
using OrbitGrains.WebFrontend.Health;

namespace OrbitGrains.WebFrontend.Telemetry;

/// <summary>
/// The product's own instruments, on the "OrbitGrains" meter: what the sockets of this front end carry. Counted
/// once per fan-out (not per frame), so the hot path pays one add per message.
/// </summary>
public sealed class OrbitMetrics
{
    public const string MeterName = "OrbitGrains";

    private readonly Counter<long> _deliveries;
    private readonly Counter<long> _refused;

    public OrbitMetrics(IMeterFactory meters, ConnectionCounters connections)
    {
        var meter = meters.Create(MeterName);
        _deliveries = meter.CreateCounter<long>("orbitgrains.socket.deliveries", "{frame}",
            "Frames queued to this front end's sockets by a fan-out, by family.");
        _refused = meter.CreateCounter<long>("orbitgrains.socket.refused", "{frame}",
            "Frames a socket refused because it was closing or its peer had fallen too far behind, by family.");
        meter.CreateObservableGauge("orbitgrains.socket.open", () => new[]
        {
            new Measurement<long>(connections[ConnectionKind.Client], new KeyValuePair<string, object?>("kind", "client")),
            new Measurement<long>(connections[ConnectionKind.Anchor], new KeyValuePair<string, object?>("kind", "anchor")),
            new Measurement<long>(connections[ConnectionKind.RoomParticipant], new KeyValuePair<string, object?>("kind", "room_participant")),
        }, "{socket}", "Open sockets on this front end.");
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
}
