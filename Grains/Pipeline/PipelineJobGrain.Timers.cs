namespace OrbitGrains.Pipeline;

public sealed partial class PipelineJobGrain
{
    private IGrainTimer? _stageTimer;
    private (int Stage, int Attempt) _stageTimerFor = (-1, -1);
    private IGrainTimer? _deadlineTimer;
    private DateTimeOffset? _deadlineTimerAt;

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
            S.Gates[index] = gate with { Approved = true, By = TimerName, At = now, AutoApproved = true };
            RecordDecision(S.Gates[index]);
            S.Status = JobStatus.Running;
            Emit(PipelineEventTypes.GateAutoApproved, name, $"Gate {name} auto-approved after {auto} s",
                new { stage = name, by = TimerName, gate_id = GateId(name), gate_type = gate.Rule.Required ? "required" : "optional", auto_approve_after_s = auto });
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

    private static TimeSpan Positive(TimeSpan span) => span < TimeSpan.Zero ? TimeSpan.Zero : span;
}
