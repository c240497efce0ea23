using System.Security.Cryptography;
using System.Text.Json;

namespace OrbitGrains.Pipeline;

/// <summary>
/// Stands in for the media tooling: waits the configured stage duration (the job's timer does the waiting) and
/// records a small JSON artifact describing what a real stage would have produced, including any patch applied.
/// </summary>
public sealed class SimulatedStageRunner : IStageRunner
{
    public const string RunnerName = "simulated";

    public string Name => RunnerName;

    public TimeSpan Duration(StageWork work) => TimeSpan.FromMilliseconds(Math.Max(0, work.Settings.StageDurationMs));

    public Task<StageResult> RunAsync(StageWork work, CancellationToken cancellationToken)
    {
        var content = new Dictionary<string, object?>
        {
            ["job_id"] = work.JobId,
            ["stage"] = work.Stage,
            ["attempt"] = work.Attempt,
            ["slug"] = work.Slug,
            ["intent"] = work.Intent,
            ["patch"] = PatchJson(work.Patch),
        };
        var meta = new Dictionary<string, object?>
        {
            ["runner"] = RunnerName,
            ["attempt"] = work.Attempt,
            ["patch_applied"] = work.Patch?.Kind,
        };
        return Record(work, "simulated_output", $"jobs/{work.JobId}/{work.Stage}/attempt-{work.Attempt}.json", content, meta);
    }

    public Task<StageResult> ApplyPatchAsync(StageWork work, ArtifactRecord artifact, CancellationToken cancellationToken)
    {
        // A new version beside the old one, named after the stage run it comes from: earlier versions stay as they were.
        var run = Path.ChangeExtension(artifact.Path, null);
        var version = $"{(run.Contains("-patched-", StringComparison.Ordinal) ? run[..run.IndexOf("-patched-", StringComparison.Ordinal)] : run)}-patched-{work.Now.UtcTicks}.json";
        var content = new Dictionary<string, object?>
        {
            ["job_id"] = work.JobId,
            ["stage"] = work.Stage,
            ["patched_from"] = artifact.Path,
            ["patched_from_checksum"] = artifact.Checksum,
            ["patch"] = PatchJson(work.Patch),
        };
        var meta = new Dictionary<string, object?>
        {
            ["runner"] = RunnerName,
            ["attempt"] = work.Attempt,
            ["patch_applied"] = work.Patch?.Kind,
            ["patched_from"] = artifact.Path,
            ["direct"] = true,
        };
        return Record(work, artifact.Kind, version, content, meta);
    }

    private static JsonElement? PatchJson(GatePatch? patch) => patch is null ? null : JsonDocument.Parse(patch.Json).RootElement;

    private static Task<StageResult> Record(StageWork work, string kind, string path, Dictionary<string, object?> content, Dictionary<string, object?> meta)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(content);
        var artifact = new ArtifactRecord(
            Stage: work.Stage,
            Kind: kind,
            Path: path,
            MetaJson: JsonSerializer.Serialize(meta),
            CreatedAt: work.Now,
            SizeBytes: bytes.Length,
            Checksum: "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes)));
        return Task.FromResult(new StageResult(true, null, [artifact]));
    }
}
