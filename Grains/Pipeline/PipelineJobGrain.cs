using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using OrbitGrains.Hosting;

namespace OrbitGrains.Pipeline;

/// <summary>
/// One job: runs the stages in order, stops at gates, records artifacts and events, and keeps its deadlines
/// across restarts. Grain timers drive the work while the job is active; one reminder ("watchdog") wakes the
/// job on whichever silo owns it after a restart or the loss of a node, and every handler checks the stored
/// state first so a late or repeated tick changes nothing.
/// </summary>
// The job lives on the front end that created it (its first watcher, usually); after a node loss any silo takes it over.
[GrainType("pipeline-job"), Orleans.Placement.PreferLocalPlacement]
public sealed class PipelineJobGrain(
    [PersistentState("pipeline-job", OrbitStorageNames.GrainState)] IPersistentState<PipelineJobState> store,
    IEnumerable<IStageRunner> runners,
    IOptions<ReminderOptions> reminderOptions,
    TimeProvider clock,
    ILogger<PipelineJobGrain> logger) : Grain, IPipelineJobGrain, IRemindable
{
    public const string WatchdogReminder = "pipeline-watchdog";
    public const int MaxStoredEvents = 1000;

    // A silo's observer that has not renewed within this long is presumed gone (its silo died or it stopped watching).
    private static readonly TimeSpan ObserverLease = TimeSpan.FromMinutes(2);

    private readonly Dictionary<IPipelineJobObserver, DateTimeOffset> _observers = [];
    private readonly List<PipelineEvent> _unpublished = [];
    private IGrainTimer? _stageTimer;
    private (int Stage, int Attempt) _stageTimerFor = (-1, -1);
    private IGrainTimer? _deadlineTimer;
    private DateTimeOffset? _deadlineTimerAt;

    private PipelineJobState S => store.State;
    private string JobId => this.GetPrimaryKeyString();
    private bool Exists => S.Id is not null;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (Exists && !JobStatus.IsTerminal(S.Status))
        {
            // A job that was mid-stage or at a timed gate when its previous activation ended picks up from here.
            ArmTimers();
        }

        return Task.CompletedTask;
    }

    public async Task<PipelineOutcome> Create(CreateJob command)
    {
        if (Exists)
        {
            return new PipelineOutcome(409, $"Job {JobId} already exists");
        }

        var now = clock.GetUtcNow();
        S.Id = JobId;
        S.Slug = command.Slug;
        S.Intent = command.Intent;
        S.Brief = command.Brief;
        S.BriefConfigJson = command.BriefConfigJson;
        S.MetaJson = command.MetaJson;
        S.CreatedBy = command.CreatedBy;
        S.Settings = command.Settings;
        S.CreatedAt = now;
        S.Stages = PipelineStages.All.Select(name => new StageRecord(name, StageStatus.Pending, null, null, 0, null)).ToList();
        S.Gates = command.Settings.Gates
            .Where(rule => PipelineStages.IsKnown(rule.Stage) && (rule.Required || rule.AutoApproveAfterSeconds is not null))
            .OrderBy(rule => PipelineStages.IndexOf(rule.Stage))
            .Select(rule => new GateRecord(rule, null, null, null, null, null, false, null))
            .ToList();
        S.Status = JobStatus.Queued;
        Emit(PipelineEventTypes.JobCreated, null, $"Job {JobId} created", new { slug = S.Slug, intent = S.Intent, created_by = S.CreatedBy });

        // Jobs start when created; "queued" is only ever the instant before.
        S.Status = JobStatus.Running;
        Emit(PipelineEventTypes.JobStarted, null, $"Job {JobId} started", new { stages = PipelineStages.All });
        StartStage(0, now, patch: null);
        await SaveAndPublishAsync();
        await this.RegisterOrUpdateReminder(WatchdogReminder, WatchdogPeriod, WatchdogPeriod);
        return new PipelineOutcome(201, "created");
    }

    public Task<PipelineJob?> Get() => Task.FromResult(Exists ? Snapshot() : null);

    public Task<ArtifactRecord[]?> GetArtifacts() => Task.FromResult(Exists ? S.Artifacts.ToArray() : null);

    public Task<PipelineEvent[]?> GetEvents() => Task.FromResult(Exists ? S.Events.ToArray() : null);

    public Task<EventBatch> GetEventsAfter(long afterId, int limit) => Task.FromResult(EventsAfter(afterId, limit));

    public Task<EventBatch> Watch(IPipelineJobObserver observer, long afterId)
    {
        if (!Exists)
        {
            return Task.FromResult(new EventBatch([], 0, false));
        }

        _observers[observer] = clock.GetUtcNow() + ObserverLease;
        return Task.FromResult(EventsAfter(afterId, MaxStoredEvents));
    }

    public async Task<PipelineOutcome> Approve(GateDecision decision)
    {
        if (CheckDecision(decision) is { } refusal)
        {
            return refusal;
        }

        var index = GateIndex(decision.Stage);
        var now = clock.GetUtcNow();
        S.Gates[index] = S.Gates[index] with { Approved = true, By = decision.Operator, At = now, Notes = decision.Notes };
        S.Status = JobStatus.Running;
        Emit(PipelineEventTypes.GateApproved, decision.Stage, $"Gate {decision.Stage} approved by {decision.Operator}",
            new { stage = decision.Stage, by = decision.Operator, notes = decision.Notes, gate_id = GateId(decision.Stage) });
        Advance(now);
        await SaveAndPublishAsync();
        return new PipelineOutcome(200, $"Gate {decision.Stage} approved successfully");
    }

    public async Task<PipelineOutcome> Reject(GateDecision decision)
    {
        if (CheckDecision(decision) is { } refusal)
        {
            return refusal;
        }

        if (decision.Patch is { } patch && !PatchRules.Allows(decision.Stage, patch.Kind))
        {
            return new PipelineOutcome(400, PatchMismatch(decision.Stage, patch.Kind));
        }

        var index = GateIndex(decision.Stage);
        var now = clock.GetUtcNow();
        S.Gates[index] = S.Gates[index] with
        {
            Approved = false, By = decision.Operator, At = now, Notes = decision.Notes, Patch = decision.Patch,
        };
        S.Status = JobStatus.Paused;
        Emit(PipelineEventTypes.GateRejected, decision.Stage, $"Gate {decision.Stage} rejected by {decision.Operator}",
            new { stage = decision.Stage, by = decision.Operator, notes = decision.Notes, has_patch = decision.Patch is not null, patch_type = decision.Patch?.Kind });
        ArmTimers();
        await SaveAndPublishAsync();
        return new PipelineOutcome(200, $"Gate {decision.Stage} rejected successfully");
    }

    public async Task<PipelineOutcome> Resume(string operatorName)
    {
        if (!Exists)
        {
            return NotFound();
        }

        if (S.Status != JobStatus.Paused)
        {
            return new PipelineOutcome(400, $"Job {JobId} is not paused (status: {S.Status})");
        }

        var now = clock.GetUtcNow();
        var stage = PipelineStages.All[S.StageIndex];
        var index = GateIndex(stage);
        var patch = index >= 0 ? S.Gates[index].Patch : null;
        if (index >= 0)
        {
            // The stage runs again with the patch, and its output needs a fresh decision: a rejected result is never passed on unreviewed.
            S.Gates[index] = S.Gates[index] with { OpenedAt = null, Approved = null, AutoApproved = false };
        }

        S.Status = JobStatus.Running;
        Emit(PipelineEventTypes.JobResumed, stage, $"Job {JobId} resumed by {operatorName}",
            new { stage, by = operatorName, patch_applied = patch?.Kind, patch = patch is null ? (JsonElement?)null : JsonDocument.Parse(patch.Json).RootElement });
        StartStage(S.StageIndex, now, patch);
        await SaveAndPublishAsync();
        return new PipelineOutcome(200, $"Job {JobId} resumed successfully");
    }

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

        if (!Exists || JobStatus.IsTerminal(S.Status))
        {
            await OnFinishedAsync();
            return;
        }

        // Activation already re-armed the timers; the tick only has to settle deadlines that have passed.
        if (ApplyDeadlines(clock.GetUtcNow()))
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

    private PipelineOutcome? CheckDecision(GateDecision decision)
    {
        if (!Exists)
        {
            return NotFound();
        }

        if (!PipelineStages.IsKnown(decision.Stage))
        {
            return new PipelineOutcome(400, $"Unknown stage '{decision.Stage}'. Stages: {string.Join(", ", PipelineStages.All)}");
        }

        var index = GateIndex(decision.Stage);
        if (index < 0 || S.Gates[index].OpenedAt is null)
        {
            return new PipelineOutcome(404, $"No gate found for stage {decision.Stage}");
        }

        if (S.Gates[index].Approved is not null)
        {
            return new PipelineOutcome(400, $"Gate for stage {decision.Stage} has already been decided");
        }

        if (S.Status != JobStatus.NeedsApproval || PipelineStages.All[S.StageIndex] != decision.Stage)
        {
            return new PipelineOutcome(400, $"Job {JobId} is {S.Status}; the gate for stage {decision.Stage} cannot be decided now");
        }

        return null;
    }

    private static string PatchMismatch(string stage, string kind)
    {
        var allowed = PatchRules.KindsFor(stage);
        return allowed.Count == 0
            ? $"Patch type {kind} is not valid for stage {stage}: this stage takes no patches"
            : $"Patch type {kind} is not valid for stage {stage}; use {string.Join(" or ", allowed)}";
    }

    private void StartStage(int index, DateTimeOffset now, GatePatch? patch)
    {
        S.StageIndex = index;
        var stage = S.Stages[index];
        S.Stages[index] = stage with { Status = StageStatus.Running, StartedAt = now, CompletedAt = null, Attempts = stage.Attempts + 1, Error = null };
        S.ActivePatch = patch;
        var runner = RunnerFor(stage.Name);
        S.StageDueAt = now + (runner?.Duration(Work(now)) ?? TimeSpan.Zero);
        S.StageDeadline = S.Settings!.StageTimeoutSeconds.TryGetValue(stage.Name, out var seconds) && seconds > 0
            ? now + TimeSpan.FromSeconds(seconds)
            : null;
        Emit(PipelineEventTypes.StageStarted, stage.Name, $"Stage {stage.Name} started",
            new { stage = stage.Name, attempt = S.Stages[index].Attempts, runner = runner?.Name, patch = patch?.Kind });
        ArmTimers();
    }

    private async Task OnStageDueAsync((int Stage, int Attempt) expected, CancellationToken cancellationToken)
    {
        _stageTimer?.Dispose();
        _stageTimer = null;
        _stageTimerFor = (-1, -1);
        if (!Exists || S.Status != JobStatus.Running || S.StageIndex != expected.Stage || S.Stages[expected.Stage].Attempts != expected.Attempt
            || S.Stages[expected.Stage].Status != StageStatus.Running)
        {
            return;
        }

        var now = clock.GetUtcNow();
        var name = PipelineStages.All[expected.Stage];
        var runner = RunnerFor(name);
        StageResult result;
        if (runner is null)
        {
            result = StageResult.Failure($"No stage runner named '{S.Settings!.Runners.GetValueOrDefault(name)}' on this silo");
        }
        else
        {
            try
            {
                result = await runner.RunAsync(Work(now), cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Stage {Stage} of job {Job} failed in runner {Runner}", name, JobId, runner.Name);
                result = StageResult.Failure($"{runner.Name} runner failed: {ex.Message}");
            }
        }

        now = clock.GetUtcNow();
        if (!result.Succeeded)
        {
            FailStage(expected.Stage, now, result.Error ?? "stage failed");
        }
        else
        {
            CompleteStage(expected.Stage, now, result.Artifacts);
        }

        await SaveAndPublishAsync();
        if (JobStatus.IsTerminal(S.Status))
        {
            await OnFinishedAsync();
        }
    }

    private void CompleteStage(int index, DateTimeOffset now, IReadOnlyList<ArtifactRecord> artifacts)
    {
        var name = PipelineStages.All[index];
        foreach (var artifact in artifacts)
        {
            S.Artifacts.Add(artifact);
            Emit(PipelineEventTypes.ArtifactCreated, name, $"Artifact {artifact.Path} recorded",
                new { stage = name, kind = artifact.Kind, path = artifact.Path, size_bytes = artifact.SizeBytes, checksum = artifact.Checksum });
        }

        S.Stages[index] = S.Stages[index] with { Status = StageStatus.Completed, CompletedAt = now };
        S.StageDueAt = null;
        S.StageDeadline = null;
        S.ActivePatch = null;
        Emit(PipelineEventTypes.StageCompleted, name, $"Stage {name} completed", new { stage = name, artifacts = artifacts.Count });

        var gate = GateIndex(name);
        if (gate < 0)
        {
            Advance(now);
            return;
        }

        var rule = S.Gates[gate].Rule;
        S.Gates[gate] = S.Gates[gate] with { OpenedAt = now, Approved = null, By = null, At = null, Notes = null, AutoApproved = false };
        S.Status = JobStatus.NeedsApproval;
        Emit(PipelineEventTypes.GatePause, name, $"Waiting for approval of stage {name}", new Dictionary<string, object?>
        {
            ["stage"] = name,
            ["gate_type"] = rule.Required ? "required" : "optional",
            ["gate_id"] = GateId(name),
            ["timeout_seconds"] = rule.TimeoutSeconds,
            ["auto_approve_after_s"] = rule.AutoApproveAfterSeconds,
        });
        ArmTimers();
    }

    private void FailStage(int index, DateTimeOffset now, string error)
    {
        var name = PipelineStages.All[index];
        S.Stages[index] = S.Stages[index] with { Status = StageStatus.Failed, CompletedAt = now, Error = error };
        Emit(PipelineEventTypes.StageFailed, name, $"Stage {name} failed: {error}", new { stage = name, error });
        Finish(JobStatus.Failed, now, error);
        Emit(PipelineEventTypes.JobFailed, name, $"Job {JobId} failed: {error}", new { stage = name, error });
    }

    private void Advance(DateTimeOffset now)
    {
        if (S.StageIndex + 1 < PipelineStages.All.Length)
        {
            S.Status = JobStatus.Running;
            StartStage(S.StageIndex + 1, now, patch: null);
            return;
        }

        Finish(JobStatus.Completed, now, null);
        Emit(PipelineEventTypes.JobCompleted, null, $"Job {JobId} completed", new { artifacts = S.Artifacts.Count });
    }

    private void Finish(string status, DateTimeOffset now, string? error)
    {
        S.Status = status;
        S.CompletedAt = now;
        S.Error = error;
        S.StageDueAt = null;
        S.StageDeadline = null;
        ArmTimers();
    }

    /// <summary>Settles every deadline that has passed; true when the job changed. Safe to call any number of times.</summary>
    private bool ApplyDeadlines(DateTimeOffset now)
    {
        if (!Exists || JobStatus.IsTerminal(S.Status))
        {
            return false;
        }

        if (S.Settings!.JobTimeoutHours is { } hours && hours > 0 && S.CreatedAt + TimeSpan.FromHours(hours) <= now)
        {
            var stage = CurrentStageName;
            Finish(JobStatus.Failed, now, $"Job timed out after {hours} h");
            Emit(PipelineEventTypes.JobFailed, stage, $"Job {JobId} failed: timed out after {hours} h", new { stage, error = "job_timeout" });
            return true;
        }

        if (S.Status == JobStatus.Running && S.StageDeadline is { } stageDeadline && stageDeadline <= now)
        {
            FailStage(S.StageIndex, now, $"timed out after {S.Settings.StageTimeoutSeconds[PipelineStages.All[S.StageIndex]]} s");
            return true;
        }

        if (S.Status != JobStatus.NeedsApproval)
        {
            return false;
        }

        var name = PipelineStages.All[S.StageIndex];
        var index = GateIndex(name);
        if (index < 0 || S.Gates[index] is not { OpenedAt: { } opened, Approved: null } gate)
        {
            return false;
        }

        if (gate.Rule.AutoApproveAfterSeconds is { } auto && opened + TimeSpan.FromSeconds(auto) <= now)
        {
            S.Gates[index] = gate with { Approved = true, By = "timer", At = now, AutoApproved = true };
            S.Status = JobStatus.Running;
            Emit(PipelineEventTypes.GateAutoApproved, name, $"Gate {name} auto-approved after {auto} s",
                new { stage = name, by = "timer", gate_id = GateId(name), auto_approve_after_s = auto });
            Advance(now);
            return true;
        }

        if (gate.Rule.TimeoutSeconds is { } timeout && opened + TimeSpan.FromSeconds(timeout) <= now)
        {
            Finish(JobStatus.Failed, now, $"Gate for stage {name} timed out after {timeout} s");
            Emit(PipelineEventTypes.JobFailed, name, $"Job {JobId} failed: gate for stage {name} timed out", new { stage = name, error = "gate_timeout" });
            return true;
        }

        return false;
    }

    /// <summary>Brings the grain timers in line with the stored state: the stage's work and the nearest deadline.</summary>
    private void ArmTimers()
    {
        var running = Exists && S.Status == JobStatus.Running && S.StageIndex >= 0 && S.Stages[S.StageIndex].Status == StageStatus.Running;
        var wanted = running ? (S.StageIndex, S.Stages[S.StageIndex].Attempts) : (-1, -1);
        if (_stageTimerFor != wanted)
        {
            _stageTimer?.Dispose();
            _stageTimer = null;
            _stageTimerFor = wanted;
            if (running)
            {
                var due = Positive((S.StageDueAt ?? clock.GetUtcNow()) - clock.GetUtcNow());
                _stageTimer = this.RegisterGrainTimer(OnStageDueAsync, wanted,
                    new GrainTimerCreationOptions { DueTime = due, Period = Timeout.InfiniteTimeSpan, KeepAlive = true });
            }
        }

        var next = NextDeadline();
        if (next != _deadlineTimerAt)
        {
            _deadlineTimer?.Dispose();
            _deadlineTimer = null;
            _deadlineTimerAt = next;
            if (next is { } at)
            {
                _deadlineTimer = this.RegisterGrainTimer(OnDeadlineAsync,
                    new GrainTimerCreationOptions { DueTime = Positive(at - clock.GetUtcNow()), Period = Timeout.InfiniteTimeSpan });
            }
        }
    }

    private async Task OnDeadlineAsync(CancellationToken cancellationToken)
    {
        _deadlineTimer?.Dispose();
        _deadlineTimer = null;
        _deadlineTimerAt = null;
        if (ApplyDeadlines(clock.GetUtcNow()))
        {
            await SaveAndPublishAsync();
            if (JobStatus.IsTerminal(S.Status))
            {
                await OnFinishedAsync();
            }
        }
        else
        {
            ArmTimers();
        }
    }

    private DateTimeOffset? NextDeadline()
    {
        if (!Exists || JobStatus.IsTerminal(S.Status))
        {
            return null;
        }

        var candidates = new List<DateTimeOffset>();
        if (S.Settings!.JobTimeoutHours is { } hours && hours > 0)
        {
            candidates.Add(S.CreatedAt + TimeSpan.FromHours(hours));
        }

        if (S.Status == JobStatus.Running && S.StageDeadline is { } stageDeadline)
        {
            candidates.Add(stageDeadline);
        }

        if (S.Status == JobStatus.NeedsApproval && GateIndex(PipelineStages.All[S.StageIndex]) is var index and >= 0
            && S.Gates[index] is { OpenedAt: { } opened, Approved: null } gate)
        {
            if (gate.Rule.AutoApproveAfterSeconds is { } auto)
            {
                candidates.Add(opened + TimeSpan.FromSeconds(auto));
            }

            if (gate.Rule.TimeoutSeconds is { } timeout)
            {
                candidates.Add(opened + TimeSpan.FromSeconds(timeout));
            }
        }

        return candidates.Count == 0 ? null : candidates.Min();
    }

    /// <summary>Clean-up once the job is terminal: frees its place among the running jobs and drops its reminder. Safe to repeat.</summary>
    private async Task OnFinishedAsync()
    {
        try
        {
            await GrainFactory.GetGrain<IJobIndexGrain>(IJobIndexGrain.Key).Finished(JobId);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The watchdog is still registered: its next tick repeats this.
            logger.LogWarning(ex, "Could not tell the job index that job {Job} finished", JobId);
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

    private void Emit(string type, string? stage, string message, object payload)
    {
        var now = clock.GetUtcNow();
        S.UpdatedAt = now;
        var @event = new PipelineEvent(++S.LastEventId, now, type, stage, S.Status, message, JsonSerializer.Serialize(payload));
        S.Events.Add(@event);
        if (S.Events.Count > MaxStoredEvents)
        {
            S.Events.RemoveRange(0, S.Events.Count - MaxStoredEvents);
        }

        _unpublished.Add(@event);
    }

    /// <summary>Stores first, then tells the watching silos: an event a client sees is always one a replay can give again.</summary>
    private async Task SaveAndPublishAsync()
    {
        await store.WriteStateAsync();
        if (_unpublished.Count == 0)
        {
            return;
        }

        var batch = _unpublished.ToArray();
        _unpublished.Clear();
        if (_observers.Count == 0)
        {
            return;
        }

        var now = clock.GetUtcNow();
        List<IPipelineJobObserver>? expired = null;
        foreach (var (observer, until) in _observers)
        {
            if (until < now)
            {
                (expired ??= []).Add(observer);
                continue;
            }

            try
            {
                _ = observer.OnEvents(JobId, batch);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                logger.LogDebug(ex, "Dropping an observer of job {Job}", JobId);
                (expired ??= []).Add(observer);
            }
        }

        expired?.ForEach(observer => _observers.Remove(observer));
    }

    private EventBatch EventsAfter(long afterId, int limit)
    {
        if (!Exists)
        {
            return new EventBatch([], 0, false);
        }

        var events = S.Events.Where(e => e.Id > afterId).Take(Math.Clamp(limit, 1, MaxStoredEvents)).ToArray();
        return new EventBatch(events, S.LastEventId, true);
    }

    private PipelineJob Snapshot() => new(
        S.Id!, S.Slug, S.Intent, S.Brief, S.BriefConfigJson, S.MetaJson, S.Status, CurrentStageName,
        S.Stages.ToArray(), S.Gates.ToArray(), S.CreatedAt, S.UpdatedAt, S.CompletedAt, S.CreatedBy, S.Error, S.LastEventId);

    private string? CurrentStageName => S.StageIndex >= 0 ? PipelineStages.All[S.StageIndex] : null;

    private int GateIndex(string stage) => S.Gates.FindIndex(gate => gate.Rule.Stage == stage);

    private string GateId(string stage) => $"{JobId}_{stage}";

    private IStageRunner? RunnerFor(string stage)
    {
        var name = S.Settings!.Runners.GetValueOrDefault(stage) ?? SimulatedStageRunner.RunnerName;
        return runners.FirstOrDefault(runner => runner.Name == name);
    }

    private StageWork Work(DateTimeOffset now) => new(
        JobId, PipelineStages.All[S.StageIndex], S.Stages[S.StageIndex].Attempts, S.Slug, S.Intent, S.Brief, S.ActivePatch, S.Settings!, now);

    private PipelineOutcome NotFound() => new(404, $"Job {JobId} not found");

    private static TimeSpan Positive(TimeSpan span) => span < TimeSpan.Zero ? TimeSpan.Zero : span;
}
