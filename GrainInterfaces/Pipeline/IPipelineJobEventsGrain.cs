using Orleans.Concurrency;

namespace OrbitGrains.Pipeline;

/// <summary>
/// The event log of one job [job id]: the job's events (ids 1, 2, 3, ... never reused; the newest
/// storage.max_events_per_job, at most 1000), replay for polling and streams, and the front ends watching them.
/// The job grain is its only writer; it hands over each batch after storing it, and again until the log has it.
/// </summary>
[Alias("OrbitGrains.Pipeline.IPipelineJobEventsGrain")]
public interface IPipelineJobEventsGrain : IPipelineEventSource
{
    /// <summary>
    /// Keeps the events (oldest first) whose ids are above the newest kept, drops all but the newest
    /// <paramref name="keep"/> (1 to 1000), then passes the new ones to the watching front ends and the all-jobs feed.
    /// Events already kept are ignored, so a batch handed over twice (after a restart) is kept once.
    /// </summary>
    [Alias("Append")]
    Task Append(PipelineEvent[] events, int keep);

    /// <summary>Every kept event, oldest first; empty when the job has none (it was never created).</summary>
    [Alias("GetEvents")]
    Task<PipelineEvent[]> GetEvents();
}
