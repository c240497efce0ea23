namespace OrbitGrains.Pipeline;

/// <summary>Which patch types a rejection of each stage's gate may carry (spec: operator.md, "Patch types").</summary>
public static class PatchRules
{
    private static readonly Dictionary<string, string[]> ByStage = new()
    {
        ["script"] = ["text_replace", "section_replace"],
        ["storyboard"] = ["duration_adjust"],
        ["audio"] = ["level_adjust"],
    };

    public static IReadOnlyCollection<string> KindsFor(string stage) =>
        ByStage.TryGetValue(stage, out var kinds) ? kinds : [];

    public static bool Allows(string stage, string kind) => KindsFor(stage).Contains(kind);
}
