namespace OrbitGrains.Pipeline;

/// <summary>
/// One job event. Ids are per job, start at 1 and only grow, so a client that remembers the last id it saw
/// can ask for exactly what it missed. Payload is JSON text because its shape differs per event type.
/// </summary>
/// <param name="JobId">Set on the copies the all-jobs feed hands out (a job's own store leaves it out).</param>
/// <param name="Seq">
/// The all-jobs feed's position of this event (<see cref="PipelineFeed"/>): unique and increasing across every job;
/// 0 on a job's own events.
/// </param>
[GenerateSerializer, Immutable, Alias("OrbitGrains.Pipeline.PipelineEvent")]
public sealed record PipelineEvent(
    [property: Id(0)] long Id,
    [property: Id(1)] DateTimeOffset Ts,
    [property: Id(2)] string Type,
    [property: Id(3)] string? Stage,
    [property: Id(4)] string Status,
    [property: Id(5)] string Message,
    [property: Id(6)] string PayloadJson,
    [property: Id(7)] string? JobId = null,
    [property: Id(8)] long Seq = 0)
{
    /// <summary>The id a stream of this event's source counts by: the feed position on the all-jobs feed, else the job's own id.</summary>
    public long StreamId => Seq > 0 ? Seq : Id;
}

/// <summary>
/// Gate rules for one stage, copied into the job when it is created so a job keeps the rules it started with.
/// A required gate waits for a person (or for <paramref name="AutoApproveAfterSeconds"/>, when set). An optional
/// gate is passed at once (recorded as auto-approved by "timer") unless <paramref name="Review"/> asks for a
/// review window: then it waits <paramref name="AutoApproveAfterSeconds"/> for a person before the timer approves it.
/// </summary>
/// <param name="TimeoutSeconds">A waiting gate fails the job after this long; null: never.</param>
[GenerateSerializer, Immutable, Alias("OrbitGrains.Pipeline.GateRule")]
public sealed record GateRule(
    [property: Id(0)] string Stage,
    [property: Id(1)] bool Required,
    [property: Id(2)] int? TimeoutSeconds,
    [property: Id(3)] int? AutoApproveAfterSeconds,
    [property: Id(4)] bool Review = false)
{
    /// <summary>Whether the job stops at this gate at all.</summary>
    public bool Waits => Required || (Review && AutoApproveAfterSeconds is not null);
}

/// <summary>What a job needs to know about the deployment's pipeline configuration, fixed at creation.</summary>
/// <param name="MaxEvents">Events a job keeps (storage.max_events_per_job); 0 means the product's maximum, 1000.</param>
/// <param name="MaxConcurrentJobs">Unfinished jobs allowed to run at once, cluster-wide (pipeline.max_concurrent_jobs); 0: no limit.</param>
[GenerateSerializer, Immutable, Alias("OrbitGrains.Pipeline.JobSettings")]
public sealed record JobSettings(
    [property: Id(0)] GateRule[] Gates,
    [property: Id(1)] Dictionary<string, int> StageTimeoutSeconds,
    [property: Id(2)] int StageDurationMs,
    [property: Id(3)] Dictionary<string, string> Runners,
    [property: Id(4)] double? JobTimeoutHours,
    [property: Id(5)] int MaxEvents = 0,
    [property: Id(6)] int MaxConcurrentJobs = 0);

/// <param name="Brief">The brief as free text, when it was sent as a string.</param>
/// <param name="BriefJson">The brief as a JSON object (title, tone, target_len_sec, ...), when it was sent as one.</param>
/// <param name="CfgBriefJson">The brief the configuration snapshot (Job.cfg.brief) records: see PipelineJob.CfgBriefJson.</param>
[GenerateSerializer, Immutable, Alias("OrbitGrains.Pipeline.CreateJob")]
public sealed record CreateJob(
    [property: Id(0)] string Slug,
    [property: Id(1)] string Intent,
    [property: Id(2)] string? Brief,
    [property: Id(3)] string? BriefConfigJson,
    [property: Id(4)] string? MetaJson,
    [property: Id(5)] string CreatedBy,
    [property: Id(6)] JobSettings Settings,
    [property: Id(7)] string? BriefJson = null,
    [property: Id(8)] string? CfgBriefJson = null);

/// <summary>A patch carried by a rejection. Kind is one of the spec's patch types; Json holds its validated body.</summary>
[GenerateSerializer, Immutable, Alias("OrbitGrains.Pipeline.GatePatch")]
public sealed record GatePatch([property: Id(0)] string Kind, [property: Id(1)] string Json);

[GenerateSerializer, Immutable, Alias("OrbitGrains.Pipeline.GateDecision")]
public sealed record GateDecision(
    [property: Id(0)] string Stage,
    [property: Id(1)] string Operator,
    [property: Id(2)] string? Notes,
    [property: Id(3)] GatePatch? Patch);

[GenerateSerializer, Immutable, Alias("OrbitGrains.Pipeline.StageRecord")]
public sealed record StageRecord(
    [property: Id(0)] string Name,
    [property: Id(1)] string Status,
    [property: Id(2)] DateTimeOffset? StartedAt,
    [property: Id(3)] DateTimeOffset? CompletedAt,
    [property: Id(4)] int Attempts,
    [property: Id(5)] string? Error);

/// <summary>A gate's state. Approved is null while undecided. OpenedAt is set when the job reaches it.</summary>
[GenerateSerializer, Immutable, Alias("OrbitGrains.Pipeline.GateRecord")]
public sealed record GateRecord(
    [property: Id(0)] GateRule Rule,
    [property: Id(1)] DateTimeOffset? OpenedAt,
    [property: Id(2)] bool? Approved,
    [property: Id(3)] string? By,
    [property: Id(4)] DateTimeOffset? At,
    [property: Id(5)] string? Notes,
    [property: Id(6)] bool AutoApproved,
    [property: Id(7)] GatePatch? Patch);

[GenerateSerializer, Immutable, Alias("OrbitGrains.Pipeline.ArtifactRecord")]
public sealed record ArtifactRecord(
    [property: Id(0)] string Stage,
    [property: Id(1)] string Kind,
    [property: Id(2)] string Path,
    [property: Id(3)] string MetaJson,
    [property: Id(4)] DateTimeOffset CreatedAt,
    [property: Id(5)] long SizeBytes,
    [property: Id(6)] string Checksum);

/// <summary>A job as callers see it, taken at one instant.</summary>
/// <param name="CfgBriefJson">
/// The brief of the configuration snapshot: the structured brief if one was sent, else the brief compiled from
/// meta.free_text_brief, else brief_config, else {slug, intent} (the original console's order).
/// </param>
[GenerateSerializer, Immutable, Alias("OrbitGrains.Pipeline.PipelineJob")]
public sealed record PipelineJob(
    [property: Id(0)] string Id,
    [property: Id(1)] string Slug,
    [property: Id(2)] string Intent,
    [property: Id(3)] string? Brief,
    [property: Id(4)] string? BriefConfigJson,
    [property: Id(5)] string? MetaJson,
    [property: Id(6)] string Status,
    [property: Id(7)] string? CurrentStage,
    [property: Id(8)] StageRecord[] Stages,
    [property: Id(9)] GateRecord[] Gates,
    [property: Id(10)] DateTimeOffset CreatedAt,
    [property: Id(11)] DateTimeOffset UpdatedAt,
    [property: Id(12)] DateTimeOffset? CompletedAt,
    [property: Id(13)] string CreatedBy,
    [property: Id(14)] string? Error,
    [property: Id(15)] long LastEventId,
    [property: Id(16)] string? BriefJson = null,
    [property: Id(17)] string? CfgBriefJson = null,
    [property: Id(18)] JobSettings? Settings = null,
    [property: Id(19)] ArtifactRecord[]? Artifacts = null);

/// <summary>The outcome of a command: Status is an HTTP-like code (200, 400, 404, 409) and Detail the message for callers.</summary>
[GenerateSerializer, Immutable, Alias("OrbitGrains.Pipeline.PipelineOutcome")]
public sealed record PipelineOutcome([property: Id(0)] int Status, [property: Id(1)] string Detail)
{
    public bool Ok => Status is >= 200 and < 300;
}

/// <summary>Events after a given id, with the id of the newest event the source has (0 when none).</summary>
/// <param name="FloorId">
/// The lowest id a reader may have seen and still be given everything after it: events at or below it are no
/// longer kept. A reader behind it has missed events for good (SSE: a "reset" frame).
/// </param>
[GenerateSerializer, Immutable, Alias("OrbitGrains.Pipeline.EventBatch")]
public sealed record EventBatch(
    [property: Id(0)] PipelineEvent[] Events,
    [property: Id(1)] long LastEventId,
    [property: Id(2)] bool Exists,
    [property: Id(3)] long FloorId = 0);

/// <summary>Where a job stands with pipeline.max_concurrent_jobs.</summary>
/// <param name="Position">1 for the next queued job to start, 2 for the one after it, ...; 0 when admitted.</param>
[GenerateSerializer, Immutable, Alias("OrbitGrains.Pipeline.Admission")]
public sealed record Admission([property: Id(0)] bool Admitted, [property: Id(1)] int Position);
