using System.Diagnostics.Metrics;

namespace OrbitGrains.Telemetry;

/// <summary>
/// The product's one meter, <c>OrbitGrains</c>, with its instruments grouped by family. One per host (a singleton of
/// both the front end and the headless silo, made through the host's <see cref="IMeterFactory"/>, so a listener can
/// tell two hosts in one process apart by <see cref="Meter.Scope"/>). Grains and endpoints take it by injection and
/// record with one call, e.g. <c>meter.Rooms.Estop("admin")</c>.
/// <para>
/// A family adds its instruments by writing a small class that creates them on <see cref="Meter"/> (names
/// <c>orbitgrains.&lt;family&gt;.&lt;what&gt;</c>, UCUM units, tags in snake_case with few values) and one property
/// here. docs/metrics.md lists every instrument and how it appears in Prometheus.
/// </para>
/// </summary>
public sealed class OrbitMeter
{
    public const string Name = "OrbitGrains";

    public OrbitMeter(IMeterFactory meters)
    {
        Meter = meters.Create(Name);
        Accounts = new AccountsInstruments(Meter);
        Agents = new AgentsInstruments(Meter);
        Cloud = new CloudInstruments(Meter);
        Pipeline = new PipelineInstruments(Meter);
        Rooms = new RoomsInstruments(Meter);
        Storage = new StorageInstruments(Meter);
    }

    /// <summary>For a family's own instruments (see the class summary) and the front end's socket instruments.</summary>
    public Meter Meter { get; }

    public AccountsInstruments Accounts { get; }

    public AgentsInstruments Agents { get; }

    public CloudInstruments Cloud { get; }

    public PipelineInstruments Pipeline { get; }

    public RoomsInstruments Rooms { get; }

    public StorageInstruments Storage { get; }
}
