namespace OrbitGrains.Pipeline;

/// <summary>The stages every job runs, strictly in this order, and the statuses a job moves through.</summary>
public static class PipelineStages
{
    public static readonly string[] All =
        ["outline", "research", "script", "storyboard", "assets", "animatics", "audio", "assemble", "acceptance"];

    public static bool IsKnown(string? stage) => stage is not null && Array.IndexOf(All, stage) >= 0;

    public static int IndexOf(string stage) => Array.IndexOf(All, stage);
}

public static class JobStatus
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Paused = "paused";
    public const string NeedsApproval = "needs_approval";
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const string Canceled = "canceled";

    public static bool IsTerminal(string status) => status is Completed or Failed or Canceled;
}

public static class StageStatus
{
    public const string Pending = "pending";
    public const string Running = "running";
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const string Canceled = "canceled";
}

public static class PipelineEventTypes
{
    public const string JobCreated = "job_created";
    public const string JobStarted = "job_started";
    public const string StageStarted = "stage_started";
    public const string StageCompleted = "stage_completed";
    public const string StageFailed = "stage_failed";
    public const string GatePause = "gate_pause";
    public const string GateApproved = "gate_approved";
    public const string GateRejected = "gate_rejected";
    public const string GateAutoApproved = "gate_auto_approved";
    public const string JobCompleted = "job_completed";
    public const string JobFailed = "job_failed";
    public const string JobCanceled = "job_canceled";
    public const string JobResumed = "job_resumed";
    public const string ArtifactCreated = "artifact_created";

    /// <summary>A patch applied straight to a stage's artifact (the original's name for it).</summary>
    public const string PatchAppliedDirect = "patch_applied_direct";
}
