using OrbitGrains.Pipeline;

namespace OrbitGrains.WebFrontend.Pipeline;

/// <summary>
/// GET /api/v1/patches/types: the patch types a rejection (or a direct application) may carry, per stage, with an
/// example of each (spec: operator.md, "Patch types"; the shape of the original's answer). The stages and types
/// come from <see cref="PatchRules"/>, which is also what decides whether a patch is accepted.
/// </summary>
public static class PatchCatalog
{
    private static readonly Dictionary<string, string> StageDescriptions = new()
    {
        ["script"] = "Changes to the script text",
        ["storyboard"] = "Changes to the storyboard's timing",
        ["audio"] = "Changes to audio levels",
    };

    private static readonly Dictionary<string, (string Description, object Example)> Types = new()
    {
        ["text_replace"] = ("Replace each occurrence of old with new", new
        {
            type = "text_replace",
            replacements = new[] { new { old = "old text", @new = "new text" } },
        }),
        ["section_replace"] = ("Replace the section that starts at section_marker", new
        {
            type = "section_replace",
            section_marker = "## Introduction",
            new_section = "## Introduction\n\nA new opening.",
        }),
        ["duration_adjust"] = ("Set the duration of beats, in seconds (0 < duration <= 3600)", new
        {
            type = "duration_adjust",
            beat_adjustments = new[] { new { beat_id = "intro_beat", duration = 15 } },
        }),
        ["level_adjust"] = ("Change the audio level by level_change_db decibels (-60 to 60)", new
        {
            type = "level_adjust",
            level_change_db = 3,
        }),
    };

    public static object Describe() => new
    {
        patch_types = PipelineStages.All
            .Where(stage => PatchRules.KindsFor(stage).Count > 0)
            .ToDictionary(stage => stage, stage => new
            {
                description = StageDescriptions.GetValueOrDefault(stage, stage),
                examples = PatchRules.KindsFor(stage).Select(kind => new
                {
                    type = kind,
                    description = Types[kind].Description,
                    example = Types[kind].Example,
                }),
            }),
        usage = "Send a patch as the patch field when rejecting a gate (resume then reruns the stage with it), or as the body of " +
            "POST /api/v1/jobs/{id}/patches/{stage}/apply to patch a finished stage's artifact directly.",
    };
}
