using System.Text.Json;

namespace OrbitGrains.Pipeline;

public sealed partial class PipelineJobGrain
{
    /// <summary>Gate decisions a job keeps; a stage rejected and resumed over and over cannot grow the state without bound.</summary>
    public const int MaxStoredDecisions = 200;

    /// <summary>Who is recorded for approvals nobody made by hand: a review window running out, an optional gate passed.</summary>
    public const string TimerName = "timer";

    public async Task<PipelineOutcome> Approve(GateDecision decision)
    {
        if (CheckDecision(decision) is { } refusal)
        {
            return refusal;
        }

        var index = GateIndex(decision.Stage);
        var now = clock.GetUtcNow();
        S.Gates[index] = S.Gates[index] with { Approved = true, By = decision.Operator, At = now, Notes = decision.Notes };
        RecordDecision(S.Gates[index]);
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
        RecordDecision(S.Gates[index]);
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
        if (index < 0)
        {
            return new PipelineOutcome(404, $"No gate found for stage {decision.Stage}");
        }

        if (S.Gates[index].OpenedAt is null)
        {
            // The gate exists (the configuration gives the stage one) but the job has not reached it, or is
            // running the stage again after a resume.
            return new PipelineOutcome(409, $"Gate {decision.Stage} is not open yet");
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

    public Task<GateRecord[]?> GetDecisions() => Task.FromResult(Exists ? S.Decisions.ToArray() : null);

    public async Task<PipelineOutcome> ApplyPatch(string stage, GatePatch patch, string operatorName)
    {
        if (!Exists)
        {
            return NotFound();
        }

        if (!PipelineStages.IsKnown(stage))
        {
            return new PipelineOutcome(400, $"Unknown stage '{stage}'. Stages: {string.Join(", ", PipelineStages.All)}");
        }

        if (!PatchRules.Allows(stage, patch.Kind))
        {
            return new PipelineOutcome(400, PatchMismatch(stage, patch.Kind));
        }

        var index = PipelineStages.IndexOf(stage);
        if (S.Stages[index].Status == StageStatus.Running && !JobStatus.IsTerminal(S.Status))
        {
            return new PipelineOutcome(409, $"Stage {stage} is running; apply the patch once it has finished");
        }

        if (S.Artifacts.LastOrDefault(artifact => artifact.Stage == stage) is not { } artifact)
        {
            return new PipelineOutcome(409, $"Stage {stage} has no artifact to patch yet");
        }

        var runner = RunnerFor(stage);
        if (runner is null)
        {
            return new PipelineOutcome(409, $"No stage runner named '{S.Settings!.Runners.GetValueOrDefault(stage)}' on this silo");
        }

        var now = clock.GetUtcNow();
        var result = await runner.ApplyPatchAsync(new StageWork(JobId, stage, S.Stages[index].Attempts, S.Slug, S.Intent, S.Brief, patch, S.Settings!, now), artifact, CancellationToken.None);
        if (!result.Succeeded)
        {
            return new PipelineOutcome(422, $"Patch could not be applied to {stage}: {result.Error}");
        }

        Emit(PipelineEventTypes.PatchAppliedDirect, stage, $"Patch applied directly by {operatorName}",
            new { @operator = operatorName, stage, patch = JsonDocument.Parse(patch.Json).RootElement, artifacts = result.Artifacts.Select(a => a.Path) });
        RecordArtifacts(stage, result.Artifacts);
        await SaveAndPublishAsync();
        return new PipelineOutcome(200, $"Patch applied successfully to {stage}");
    }

    /// <summary>Keeps the decision as the gate now records it, for the gates/decisions routes.</summary>
    private void RecordDecision(GateRecord gate)
    {
        if (gate is { OpenedAt: { } opened, At: { } decided })
        {
            meter.Pipeline.GateDecided(decided - opened, gate.AutoApproved ? "auto_approved" : gate.Approved == true ? "approved" : "rejected");
        }

        S.Decisions.Add(gate);
        if (S.Decisions.Count > MaxStoredDecisions)
        {
            S.Decisions.RemoveRange(0, S.Decisions.Count - MaxStoredDecisions);
        }
    }

    private static string PatchMismatch(string stage, string kind)
    {
        var allowed = PatchRules.KindsFor(stage);
        return allowed.Count == 0
            ? $"Patch type {kind} is not valid for stage {stage}: this stage takes no patches"
            : $"Patch type {kind} is not valid for stage {stage}; use {string.Join(" or ", allowed)}";
    }

    private int GateIndex(string stage) => S.Gates.FindIndex(gate => gate.Rule.Stage == stage);

    private string GateId(string stage) => $"{JobId}_{stage}";
}
