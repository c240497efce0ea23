using Orleans.Concurrency;

namespace OrbitGrains.Pipeline;

/// <summary>
/// The all-jobs feed [key <see cref="PipelineFeed.Key"/>]: every job hands it each batch of events once, and it
/// numbers them with one cluster-wide sequence (<see cref="PipelineEvent.Seq"/>), keeps the newest for replay and
/// passes them to the watching front ends (one call per front end, whatever the number of jobs or streams).
/// </summary>
[Alias("OrbitGrains.Pipeline.IPipelineFeedGrain")]
public interface IPipelineFeedGrain : IPipelineEventSource
{
    /// <summary>A job's new events, oldest first, after they were stored.</summary>
    [OneWay, Alias("Publish")]
    Task Publish(string jobId, PipelineEvent[] events);
}

public static class PipelineFeed
{
    /// <summary>The feed grain's key.</summary>
    public const string Key = "all";

    /// <summary>The job id a front end's hub and observer use for the feed's events (not a valid job id).</summary>
    public const string AllJobs = "*";

    /// <summary>
    /// Sequence numbers are (epoch &lt;&lt; 32) + n: every activation of the feed takes a new, stored epoch, so a
    /// number is never given twice, and a reader from an earlier epoch is known to be behind (its events were
    /// kept only in memory). Numbers stay below 2^53, so JavaScript reads them exactly.
    /// </summary>
    public const int EpochShift = 32;
}
