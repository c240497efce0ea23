using Microsoft.Extensions.Logging;

namespace OrbitGrains.Pipeline;

public sealed partial class PipelineJobGrain
{
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

    private void RecordArtifacts(string stage, IReadOnlyList<ArtifactRecord> artifacts)
    {
        foreach (var artifact in artifacts)
        {
            S.Artifacts.Add(artifact);
            Emit(PipelineEventTypes.ArtifactCreated, stage, $"Artifact {artifact.Path} recorded",
                new { stage, kind = artifact.Kind, path = artifact.Path, size_bytes = artifact.SizeBytes, checksum = artifact.Checksum });
        }
    }

    private void CompleteStage(int index, DateTimeOffset now, IReadOnlyList<ArtifactRecord> artifacts)
    {
        var name = PipelineStages.All[index];
        RecordArtifacts(name, artifacts);
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
        if (!rule.Waits)
        {
            // An optional gate without a review window holds nobody up (as in the original console): it is passed
            // on the spot and recorded as the timer's approval.
            S.Gates[gate] = S.Gates[gate] with { OpenedAt = now, Approved = true, By = TimerName, At = now, Notes = null, AutoApproved = true };
            RecordDecision(S.Gates[gate]);
            Emit(PipelineEventTypes.GateAutoApproved, name, $"Optional gate {name} passed without waiting",
                new { stage = name, by = TimerName, gate_id = GateId(name), gate_type = "optional", waited_s = 0 });
            Advance(now);
            return;
        }

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

    private IStageRunner? RunnerFor(string stage)
    {
        var name = S.Settings!.Runners.GetValueOrDefault(stage) ?? SimulatedStageRunner.RunnerName;
        return runners.FirstOrDefault(runner => runner.Name == name);
    }

    private StageWork Work(DateTimeOffset now) => new(
        JobId, PipelineStages.All[S.StageIndex], S.Stages[S.StageIndex].Attempts, S.Slug, S.Intent, S.Brief, S.ActivePatch, S.Settings!, now);
}
