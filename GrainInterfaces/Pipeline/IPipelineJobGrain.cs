using Orleans.Concurrency;

namespace OrbitGrains.Pipeline;

/// <summary>Something a front end's event hub can watch: one job, or the all-jobs feed.</summary>
[Alias("OrbitGrains.Pipeline.IPipelineEventSource")]
public interface IPipelineEventSource : IGrainWithStringKey
{
    /// <summary>Stored events with an id greater than afterId, oldest first, at most limit of them.</summary>
    [Alias("GetEventsAfter")]
    Task<EventBatch> GetEventsAfter(long afterId, int limit);

    /// <summary>
    /// Registers (or renews) a silo's observer, and returns the events after afterId it has not seen,
    /// so a renewal after the source moved to another silo fills the gap.
    /// </summary>
    /// <remarks>
    /// There is no unwatch: a silo that stops renewing is dropped when its lease runs out. An explicit removal
    /// could overtake a newer registration of the same silo's observer and silence it.
    /// </remarks>
    [Alias("Watch")]
    Task<EventBatch> Watch(IPipelineJobObserver observer, long afterId);
}

/// <summary>
/// One pipeline job [job id]: its stages, gates, artifacts and durable timers. Its events are kept by its event log,
/// <see cref="IPipelineJobEventsGrain"/> under the same key.
/// </summary>
[Alias("OrbitGrains.Pipeline.IPipelineJobGrain")]
public interface IPipelineJobGrain : IGrainWithStringKey
{
    /// <summary>
    /// Creates the job: it starts at once, or waits with status "queued" while pipeline.max_concurrent_jobs jobs
    /// run (<see cref="IJobIndexGrain.Admit"/>). 409 when the id is taken.
    /// </summary>
    [Alias("Create")]
    Task<PipelineOutcome> Create(CreateJob command);

    /// <summary>A queued job's turn has come (sent by the job index when a running job finishes). Safe to repeat.</summary>
    [OneWay, Alias("Start")]
    Task Start();

    /// <summary>The job, or null when it was never created.</summary>
    [Alias("Get")]
    Task<PipelineJob?> Get();

    /// <summary>Approves the open gate of a stage: 200; 400 decided or not decidable now; 404 job or no such gate; 409 gate not open yet.</summary>
    [Alias("Approve")]
    Task<PipelineOutcome> Approve(GateDecision decision);

    /// <summary>Rejects the open gate of a stage (with an optional patch) and pauses the job; answers as <see cref="Approve"/>.</summary>
    [Alias("Reject")]
    Task<PipelineOutcome> Reject(GateDecision decision);

    [Alias("Resume")]
    Task<PipelineOutcome> Resume(string operatorName);

    [Alias("Cancel")]
    Task<PipelineOutcome> Cancel(string operatorName);

    /// <summary>
    /// Applies a patch straight to the newest artifact of a finished stage (the original's
    /// POST /jobs/{id}/patches/{stage}/apply): the stage's runner records a patched artifact. 200; 404 job; 409 the
    /// stage has no artifact yet or is running.
    /// </summary>
    [Alias("ApplyPatch")]
    Task<PipelineOutcome> ApplyPatch(string stage, GatePatch patch, string operatorName);

    [Alias("GetArtifacts")]
    Task<ArtifactRecord[]?> GetArtifacts();

    /// <summary>
    /// Every gate decision in the order taken (the newest 200): the gate as it stood when decided, as the original
    /// console kept one decision file per stage. Null when the job does not exist.
    /// </summary>
    [Alias("GetDecisions")]
    Task<GateRecord[]?> GetDecisions();

    /// <summary>
    /// The stored events the job holds that its event log may not have yet (a batch not handed over, or every event
    /// of a job stored before the event log existed), with the job's retention; null when the job does not exist.
    /// Asked by an empty event log; it reads only, so it runs even while the job waits on that log.
    /// </summary>
    [AlwaysInterleave, Alias("PendingEvents")]
    Task<PendingEvents?> PendingEvents();
}

/// <param name="Events">Oldest first.</param>
/// <param name="Keep">How many events the job keeps (storage.max_events_per_job), 1 to 1000.</param>
[GenerateSerializer, Immutable, Alias("OrbitGrains.Pipeline.PendingEvents")]
public sealed record PendingEvents([property: Id(0)] PipelineEvent[] Events, [property: Id(1)] int Keep);

/// <summary>One per front-end silo: receives every event of the jobs it watches, and of the all-jobs feed.</summary>
[Alias("OrbitGrains.Pipeline.IPipelineJobObserver")]
public interface IPipelineJobObserver : IGrainObserver
{
    /// <param name="jobId">The job, or <see cref="PipelineFeed.AllJobs"/> for the feed's events.</param>
    [OneWay, Alias("OnEvents")]
    Task OnEvents(string jobId, PipelineEvent[] events);
}

/// <summary>Every job id in creation order, which jobs run and which wait their turn [key <see cref="Key"/>].</summary>
[Alias("OrbitGrains.Pipeline.IJobIndexGrain")]
public interface IJobIndexGrain : IGrainWithStringKey
{
    const string Key = "all";

    /// <summary>
    /// Lists a job being created and admits it when fewer than maxActive (0: no limit) jobs run; otherwise it joins
    /// the queue, and <see cref="IPipelineJobGrain.Start"/> is sent to it when its turn comes. Safe to repeat.
    /// </summary>
    [Alias("Admit")]
    Task<Admission> Admit(string jobId, int maxActive);

    /// <summary>The job reached a terminal status: its place (running or queued) goes to the next in line. Safe to repeat.</summary>
    [Alias("Finished")]
    Task Finished(string jobId);

    [Alias("Page")]
    Task<JobPage> Page(int offset, int limit);
}

[GenerateSerializer, Immutable, Alias("OrbitGrains.Pipeline.JobPage")]
public sealed record JobPage([property: Id(0)] string[] JobIds, [property: Id(1)] int Total);
