using System.Security.Cryptography;
using System.Text;
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
        var content = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object?>
        {
            ["job_id"] = work.JobId,
            ["stage"] = work.Stage,
            ["attempt"] = work.Attempt,
            ["slug"] = work.Slug,
            ["intent"] = work.Intent,
            ["patch"] = work.Patch is null ? null : JsonDocument.Parse(work.Patch.Json).RootElement,
        });
        var meta = JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["runner"] = RunnerName,
            ["attempt"] = work.Attempt,
            ["patch_applied"] = work.Patch?.Kind,
        });
        var artifact = new ArtifactRecord(
            Stage: work.Stage,
            Kind: "simulated_output",
            Path: $"jobs/{work.JobId}/{work.Stage}/attempt-{work.Attempt}.json",
            MetaJson: meta,
            CreatedAt: work.Now,
            SizeBytes: content.Length,
            Checksum: "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content)));
        return Task.FromResult(new StageResult(true, null, [artifact]));
    }
}
