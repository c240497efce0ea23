namespace OrbitGrains.Pipeline;

/// <summary>
/// The durable state of one job. Deadlines are stored as instants (not as running timers) so that whichever
/// silo activates the job next can re-arm them.
/// </summary>
[GenerateSerializer, Alias("OrbitGrains.Pipeline.PipelineJobState")]
public sealed class PipelineJobState
{
    [Id(0)] public string? Id { get; set; }
    [Id(1)] public string Slug { get; set; } = "";
    [Id(2)] public string Intent { get; set; } = "";
    [Id(3)] public string? Brief { get; set; }
    [Id(4)] public string? BriefConfigJson { get; set; }
    [Id(5)] public string? MetaJson { get; set; }
    [Id(6)] public string Status { get; set; } = JobStatus.Queued;
    /// <summary>Index of the current stage in PipelineStages.All, -1 before the first.</summary>
    public int StageIndex
    {
        get => StagePosition - 1;
        set => StagePosition = value + 1;
    }

    // Stored 1-based: the serializer leaves out fields that hold their type's default (0), and a stored index
    // with a non-zero "none" value would come back as that value instead of as stage 0.
    [Id(7)] public int StagePosition { get; set; }
    [Id(8)] public DateTimeOffset CreatedAt { get; set; }
    [Id(9)] public DateTimeOffset UpdatedAt { get; set; }
    [Id(10)] public DateTimeOffset? CompletedAt { get; set; }
    [Id(11)] public string CreatedBy { get; set; } = "";
    [Id(12)] public string? Error { get; set; }
    [Id(13)] public List<StageRecord> Stages { get; set; } = [];
    [Id(14)] public List<GateRecord> Gates { get; set; } = [];
    [Id(15)] public List<ArtifactRecord> Artifacts { get; set; } = [];
    /// <summary>
    /// Where versions before the event log (<see cref="PipelineJobEventsGrain"/>) kept the job's events. Read only to
    /// hand them over to the log, then emptied.
    /// </summary>
    [Id(16)] public List<PipelineEvent> Events { get; set; } = [];
    [Id(17)] public long LastEventId { get; set; }
    [Id(18)] public JobSettings? Settings { get; set; }

    /// <summary>When the running stage's work is due (the simulated step's end).</summary>
    [Id(19)] public DateTimeOffset? StageDueAt { get; set; }

    /// <summary>When the running stage fails for taking too long (pipeline.stage_timeouts).</summary>
    [Id(20)] public DateTimeOffset? StageDeadline { get; set; }

    /// <summary>The patch the running stage applies (set by resume, cleared when the stage ends).</summary>
    [Id(21)] public GatePatch? ActivePatch { get; set; }

    /// <summary>The brief when it was sent as a JSON object.</summary>
    [Id(22)] public string? BriefJson { get; set; }

    /// <summary>The brief of the configuration snapshot (PipelineJob.CfgBriefJson).</summary>
    [Id(23)] public string? CfgBriefJson { get; set; }

    /// <summary>Gate decisions in the order taken, the newest <see cref="PipelineJobGrain.MaxStoredDecisions"/>.</summary>
    [Id(24)] public List<GateRecord> Decisions { get; set; } = [];

    /// <summary>Events stored with the transition that emitted them and not yet handed to the event log.</summary>
    [Id(25)] public List<PipelineEvent> Outbox { get; set; } = [];
}
