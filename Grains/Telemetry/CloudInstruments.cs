using System.Diagnostics.Metrics;

namespace OrbitGrains.Telemetry;

/// <summary>
/// Cloud desktops (../shared/spec/cloud.md): instance status changes once stored, by the status entered
/// (<c>launching, running, stopping, stopped, terminated, failed</c>; a new instance's first <c>launching</c> is counted
/// as a launch, not a change). Open proxy sockets are on <c>orbitgrains.socket.open</c> (family <c>cloud</c>).
/// </summary>
public sealed class CloudInstruments
{
    private readonly Counter<long> _launches;
    private readonly Counter<long> _statusChanges;

    internal CloudInstruments(Meter meter)
    {
        _launches = meter.CreateCounter<long>("orbitgrains.cloud.launches", "{instance}",
            "Instances created (stored as launching before the provider is asked).");
        _statusChanges = meter.CreateCounter<long>("orbitgrains.cloud.status_changes", "{change}",
            "Stored status changes of instances, by the status entered.");
    }

    public void Launched() => _launches.Add(1);

    public void StatusChanged(string status) => _statusChanges.Add(1, new KeyValuePair<string, object?>("status", status));
}
