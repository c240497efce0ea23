namespace OrbitGrains.Pipeline;

/// <summary>
/// Does one stage's work. The job grain arms a grain timer for <see cref="Duration"/> and then calls
/// <see cref="RunAsync"/> on that timer's turn, so the runner never runs concurrently with the job's own calls.
/// Runners are chosen per stage by name (JobSettings.Runners); "simulated" is the default.
/// </summary>
public interface IStageRunner
{
    string Name { get; }

    TimeSpan Duration(StageWork work);

    Task<StageResult> RunAsync(StageWork work, CancellationToken cancellationToken);

    /// <summary>
    /// Applies work.Patch to a finished stage's artifact outside a rerun (POST /jobs/{id}/patches/{stage}/apply) and
    /// returns the patched artifact(s). Called on the job's turn, like <see cref="RunAsync"/>.
    /// </summary>
    Task<StageResult> ApplyPatchAsync(StageWork work, ArtifactRecord artifact, CancellationToken cancellationToken);
}

/// <param name="Attempt">1 for the first run of the stage, 2 after the first resume, ...</param>
/// <param name="Patch">The patch a rejection carried, when this run follows a resume.</param>
public sealed record StageWork(
    string JobId, string Stage, int Attempt, string Slug, string Intent, string? Brief, GatePatch? Patch, JobSettings Settings, DateTimeOffset Now);

public sealed record StageResult(bool Succeeded, string? Error, IReadOnlyList<ArtifactRecord> Artifacts)
{
    public static StageResult Failure(string error) => new(false, error, []);
}
