using Orleans.Concurrency;

namespace OrbitGrains.Pipeline;

/// <summary>One pipeline job [job id]: its stages, gates, artifacts, events and durable timers.</summary>
[Alias("OrbitGrains.Pipeline.IPipelineJobGrain")]
public interface IPipelineJobGrain : IGrainWithStringKey
{
    /// <summary>Creates and starts the job; 409 when the id is taken.</summary>
    [Alias("Create")]
    Task<PipelineOutcome> Create(CreateJob command);

    /// <summary>The job, or null when it was never created.</summary>
    [Alias("Get")]
    Task<PipelineJob?> Get();

    [Alias("Approve")]
    Task<PipelineOutcome> Approve(GateDecision decision);

    [Alias("Reject")]
    Task<PipelineOutcome> Reject(GateDecision decision);

    [Alias("Resume")]
    Task<PipelineOutcome> Resume(string operatorName);

    [Alias("Cancel")]
    Task<PipelineOutcome> Cancel(string operatorName);

    [Alias("GetArtifacts")]
    Task<ArtifactRecord[]?> GetArtifacts();

    /// <summary>Stored events with an id greater than afterId, oldest first, at most limit of them.</summary>
    [Alias("GetEventsAfter")]
    Task<EventBatch> GetEventsAfter(long afterId, int limit);

    /// <summary>All stored events (bounded by the job's retention), for the polling endpoint's filters.</summary>
    [Alias("GetEvents")]
    Task<PipelineEvent[]?> GetEvents();

    /// <summary>
    /// Registers (or renews) a silo's observer, and returns the events after afterId it has not seen,
    /// so a renewal after the job moved to another silo fills the gap.
    /// </summary>
    /// <remarks>
    /// There is no unwatch: a silo that stops renewing is dropped when its lease runs out. An explicit removal
    /// could overtake a newer registration of the same silo's observer and silence it.
    /// </remarks>
    [Alias("Watch")]
    Task<EventBatch> Watch(IPipelineJobObserver observer, long afterId);
}

/// <summary>One per front-end silo: receives every event of the jobs it watches.</summary>
[Alias("OrbitGrains.Pipeline.IPipelineJobObserver")]
public interface IPipelineJobObserver : IGrainObserver
{
    [OneWay, Alias("OnEvents")]
    Task OnEvents(string jobId, PipelineEvent[] events);
}

/// <summary>Every job id in creation order, and which jobs have not finished yet [key <see cref="Key"/>].</summary>
[Alias("OrbitGrains.Pipeline.IJobIndexGrain")]
public interface IJobIndexGrain : IGrainWithStringKey
{
    const string Key = "all";

    /// <summary>Adds a job about to be created, unless maxActive (0: no limit) unfinished jobs exist already.</summary>
    [Alias("TryAdd")]
    Task<bool> TryAdd(string jobId, int maxActive);

    /// <summary>The job reached a terminal status; safe to repeat.</summary>
    [Alias("Finished")]
    Task Finished(string jobId);

    [Alias("Page")]
    Task<JobPage> Page(int offset, int limit);
}

[GenerateSerializer, Immutable, Alias("OrbitGrains.Pipeline.JobPage")]
public sealed record JobPage([property: Id(0)] string[] JobIds, [property: Id(1)] int Total);
