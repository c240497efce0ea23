using System.Diagnostics.Metrics;

namespace OrbitGrains.Telemetry;

/// <summary>Session rooms: emergency stops.</summary>
public sealed class RoomsInstruments
{
    private readonly Counter<long> _estops;

    internal RoomsInstruments(Meter meter) =>
        _estops = meter.CreateCounter<long>("orbitgrains.rooms.estops", "{estop}",
            "Emergency stops delivered, by source: participant (an operator's socket) or admin (the admin API).");

    public void Estop(string source) => _estops.Add(1, new KeyValuePair<string, object?>("source", source));
}
