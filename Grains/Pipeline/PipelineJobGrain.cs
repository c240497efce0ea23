using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using OrbitGrains.Hosting;
using OrbitGrains.Telemetry;

namespace OrbitGrains.Pipeline;

/// <summary>
/// One job: runs the stages in order, stops at gates, records artifacts, emits events (kept by its event log,
/// <see cref="PipelineJobEventsGrain"/>), and keeps its deadlines across restarts. Grain timers drive the work while the job is active; one reminder ("watchdog") wakes the
/// job on whichever silo owns it after a restart or the loss of a node, and every handler checks the stored
/// state first so a late or repeated tick changes nothing.
/// </summary>
// The job lives on the front end that created it (its first watcher, usually); after a node loss any silo takes it over.
[GrainType("pipeline-job"), Orleans.Placement.PreferLocalPlacement]
public sealed partial class PipelineJobGrain(
    [PersistentState("pipeline-job", OrbitStorageNames.GrainState)] IPersistentState<PipelineJobState> store,
    IEnumerable<IStageRunner> runners,
    IOptions<ReminderOptions> reminderOptions,
    TimeProvider clock,
    OrbitMeter meter,
    ILogger<PipelineJobGrain> logger) : Grain, IPipelineJobGrain, IRemindable
{
    public const string WatchdogReminder = "pipeline-watchdog";

    private PipelineJobState S => store.State;
    private string JobId => this.GetPrimaryKeyString();
    private bool Exists => S.Id is not null;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _storedEventId = S.LastEventId;
        // The status the job's last stored event carried (every status change emits one): what "entered" compares with.
        _lastEventStatus = S.Status;
        if (Exists && !JobStatus.IsTerminal(S.Status))
        {
            // A job that was mid-stage or at a timed gate when its previous activation ended picks up from here.
            ArmTimers();
        }

        if (Exists && HasEventsToHandOver)
        {
            // On the job's first turn, not here: the event log may ask this job for them, which waits for activation.
            this.RegisterGrainTimer(_ => HandOverEventsAsync(),
                new GrainTimerCreationOptions { DueTime = TimeSpan.Zero, Period = Timeout.InfiniteTimeSpan });
        }

        return Task.CompletedTask;
    }

    public async Task<PipelineOutcome> Create(CreateJob command)
    {
        if (Exists)
        {
            return new PipelineOutcome(409, $"Job {JobId} already exists");
        }

        // Listed before it is stored: a listing may briefly show an id whose job is still being created (it is
        // skipped), but a created job can never be missing from the listing or from the queue.
        var admission = await Index.Admit(JobId, command.Settings.MaxConcurrentJobs);
        var now = clock.GetUtcNow();
        S.Id = JobId;
        S.Slug = command.Slug;
        S.Intent = command.Intent;
        S.Brief = command.Brief;
        S.BriefJson = command.BriefJson;
        S.CfgBriefJson = command.CfgBriefJson;
        S.BriefConfigJson = command.BriefConfigJson;
        S.MetaJson = command.MetaJson;
        S.CreatedBy = command.CreatedBy;
        S.Settings = command.Settings;
        S.CreatedAt = now;
        S.Stages = PipelineStages.All.Select(name => new StageRecord(name, StageStatus.Pending, null, null, 0, null)).ToList();
        S.Gates = command.Settings.Gates
            .Where(rule => PipelineStages.IsKnown(rule.Stage))
            .OrderBy(rule => PipelineStages.IndexOf(rule.Stage))
            .Select(rule => new GateRecord(rule, null, null, null, null, null, false, null))
            .ToList();
        S.Status = JobStatus.Queued;
        Emit(PipelineEventTypes.JobCreated, null,
            admission.Admitted ? $"Job {JobId} created" : $"Job {JobId} created and queued: {admission.Position} in line for one of {command.Settings.MaxConcurrentJobs} places",
            new { slug = S.Slug, intent = S.Intent, created_by = S.CreatedBy, queue_position = admission.Position });
        if (admission.Admitted)
        {
            StartRunning(now);
        }

        await SaveAndPublishAsync();
        await this.RegisterOrUpdateReminder(WatchdogReminder, WatchdogPeriod, WatchdogPeriod);
        return new PipelineOutcome(201, "created");
    }

    public async Task Start()
    {
        if (!Exists || S.Status != JobStatus.Queued)
        {
            return;
        }

        StartRunning(clock.GetUtcNow());
        await SaveAndPublishAsync();
    }

    public Task<PipelineJob?> Get() => Task.FromResult(Exists ? Snapshot() : null);

    public Task<ArtifactRecord[]?> GetArtifacts() => Task.FromResult(Exists ? S.Artifacts.ToArray() : null);

    public async Task<PipelineOutcome> Cancel(string operatorName)
    {
        if (!Exists)
        {
            return NotFound();
        }

        if (JobStatus.IsTerminal(S.Status))
        {
            return new PipelineOutcome(400, $"Job {JobId} is already {S.Status}");
        }

        var now = clock.GetUtcNow();
        if (S.StageIndex >= 0 && S.Stages[S.StageIndex].Status == StageStatus.Running)
        {
            S.Stages[S.StageIndex] = S.Stages[S.StageIndex] with { Status = StageStatus.Canceled, CompletedAt = now };
        }

        Finish(JobStatus.Canceled, now, null);
        Emit(PipelineEventTypes.JobCanceled, CurrentStageName, $"Job {JobId} canceled by {operatorName}", new { by = operatorName });
        await SaveAndPublishAsync();
        await OnFinishedAsync();
        return new PipelineOutcome(200, $"Job {JobId} canceled successfully");
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != WatchdogReminder)
        {
            return;
        }

        await HandOverEventsAsync();

        if (!Exists || JobStatus.IsTerminal(S.Status))
        {
            await OnFinishedAsync();
            return;
        }

        // Activation already re-armed the timers; the tick only has to settle deadlines that have passed, and ask
        // again for a queued job's turn in case the index's Start message was lost.
        var changed = ApplyDeadlines(clock.GetUtcNow());
        if (S.Status == JobStatus.Queued && (await Index.Admit(JobId, S.Settings!.MaxConcurrentJobs)).Admitted)
        {
            StartRunning(clock.GetUtcNow());
            changed = true;
        }

        if (changed)
        {
            await SaveAndPublishAsync();
            if (JobStatus.IsTerminal(S.Status))
            {
                await OnFinishedAsync();
            }
        }
    }

    private TimeSpan WatchdogPeriod => reminderOptions.Value.MinimumReminderPeriod > TimeSpan.Zero
        ? reminderOptions.Value.MinimumReminderPeriod
        : TimeSpan.FromMinutes(1);

    private void Finish(string status, DateTimeOffset now, string? error)
    {
        S.Status = status;
        S.CompletedAt = now;
        S.Error = error;
        S.StageDueAt = null;
        S.StageDeadline = null;
        ArmTimers();
    }

    /// <summary>Clean-up once the job is terminal: frees its place among the running jobs and drops its reminder. Safe to repeat.</summary>
    private async Task OnFinishedAsync()
    {
        try
        {
            await Index.Finished(JobId);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The watchdog is still registered: its next tick repeats this.
            logger.LogWarning(ex, "Could not tell the job index that job {Job} finished", JobId);
            return;
        }

        if (HasEventsToHandOver)
        {
            // The event log has not taken the last events yet: the watchdog's next tick offers them again.
            return;
        }

        try
        {
            if (await this.GetReminder(WatchdogReminder) is { } reminder)
            {
                await this.UnregisterReminder(reminder);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A leftover reminder only causes a harmless tick that unregisters it again.
            logger.LogDebug(ex, "Could not unregister the watchdog of job {Job}", JobId);
        }
    }

    private void StartRunning(DateTimeOffset now)
    {
        S.Status = JobStatus.Running;
        Emit(PipelineEventTypes.JobStarted, null, $"Job {JobId} started", new { stages = PipelineStages.All });
        StartStage(0, now, patch: null);
    }

    private IJobIndexGrain Index => GrainFactory.GetGrain<IJobIndexGrain>(IJobIndexGrain.Key);

    private PipelineJob Snapshot() => new(
        S.Id!, S.Slug, S.Intent, S.Brief, S.BriefConfigJson, S.MetaJson, S.Status, CurrentStageName,
        S.Stages.ToArray(), S.Gates.ToArray(), S.CreatedAt, S.UpdatedAt, S.CompletedAt, S.CreatedBy, S.Error, S.LastEventId,
        S.BriefJson, S.CfgBriefJson, S.Settings, S.Artifacts.ToArray());

    private string? CurrentStageName => S.StageIndex >= 0 ? PipelineStages.All[S.StageIndex] : null;

    private PipelineOutcome NotFound() => new(404, $"Job {JobId} not found");
}
