using System.Diagnostics.Metrics;

namespace OrbitGrains.Telemetry;

/// <summary>Pipeline jobs: how many enter each status, and how long their gates wait for a decision.</summary>
public sealed class PipelineInstruments
{
    private readonly Counter<long> _jobs;
    private readonly Histogram<double> _gateWait;

    internal PipelineInstruments(Meter meter)
    {
        _jobs = meter.CreateCounter<long>("orbitgrains.pipeline.jobs", "{job}",
            "Jobs entering a status (queued, running, paused, needs_approval, completed, failed, canceled), counted on the silo hosting the job.");
        _gateWait = meter.CreateHistogram<double>("orbitgrains.pipeline.gate.wait", "s",
            "Time from a gate opening to its decision, by outcome (approved, rejected, auto_approved).");
    }

    public void Entered(string status) => _jobs.Add(1, new KeyValuePair<string, object?>("status", status));

    public void GateDecided(TimeSpan waited, string outcome) =>
        _gateWait.Record(Math.Max(0, waited.TotalSeconds), new KeyValuePair<string, object?>("outcome", outcome));
}
