using System.Diagnostics.Metrics;

namespace OrbitGrains.Telemetry;

/// <summary>Grain storage: the embedded mode's group commit.</summary>
public sealed class StorageInstruments
{
    private readonly Histogram<int> _groupWrites;

    internal StorageInstruments(Meter meter) =>
        _groupWrites = meter.CreateHistogram<int>("orbitgrains.storage.group_commit.writes", "{write}",
            "Grain-state writes and clears that shared one SQLite transaction (embedded mode), one record per transaction attempted.",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512] });

    /// <summary>One transaction of <paramref name="writes"/> writes was attempted (committed or not).</summary>
    public void GroupCommitted(int writes) => _groupWrites.Record(writes);
}
