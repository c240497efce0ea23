using System.Text.Json;
using OrbitGrains.Pipeline;

namespace OrbitGrains.WebFrontend.Pipeline;

/// <summary>
/// Checks a rejection's patch against the four shapes of the spec and keeps only their known fields, so the
/// stored patch is always one a stage runner can apply.
/// </summary>
public static class PatchParser
{
    private const int MaxItems = 500;

    public static string? Parse(JsonElement patch, out GatePatch? result)
    {
        result = null;
        if (patch.ValueKind != JsonValueKind.Object)
        {
            return "patch must be a JSON object with a type";
        }

        if (PipelineRequests.RequiredString(patch, "type", 64, out var kind) is { } kindError)
        {
            return "patch." + kindError;
        }

        object? normalized;
        string? error;
        switch (kind)
        {
            case "text_replace":
                error = TextReplace(patch, out normalized);
                break;
            case "section_replace":
                error = SectionReplace(patch, out normalized);
                break;
            case "duration_adjust":
                error = DurationAdjust(patch, out normalized);
                break;
            case "level_adjust":
                error = LevelAdjust(patch, out normalized);
                break;
            default:
                return $"patch.type '{kind}' is not a patch type (text_replace, section_replace, duration_adjust, level_adjust)";
        }

        if (error is not null)
        {
            return error;
        }

        result = new GatePatch(kind!, JsonSerializer.Serialize(normalized));
        return null;
    }

    private static string? TextReplace(JsonElement patch, out object? normalized)
    {
        normalized = null;
        if (!patch.TryGetProperty("replacements", out var list) || list.ValueKind != JsonValueKind.Array || list.GetArrayLength() is 0 or > MaxItems)
        {
            return $"text_replace needs replacements: a list of 1-{MaxItems} {{old, new}} objects";
        }

        var items = new List<object>();
        foreach (var item in list.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object
                || PipelineRequests.RequiredString(item, "old", 10_000, out var oldText) is not null
                || !item.TryGetProperty("new", out var newElement) || newElement.ValueKind != JsonValueKind.String)
            {
                return "text_replace replacements must each have a non-empty string old and a string new";
            }

            items.Add(new { old = oldText, @new = newElement.GetString() });
        }

        normalized = new { type = "text_replace", replacements = items };
        return null;
    }

    private static string? SectionReplace(JsonElement patch, out object? normalized)
    {
        normalized = null;
        if (PipelineRequests.RequiredString(patch, "section_marker", 1000, out var marker) is not null
            || !patch.TryGetProperty("new_section", out var section) || section.ValueKind != JsonValueKind.String)
        {
            return "section_replace needs a non-empty string section_marker and a string new_section";
        }

        normalized = new { type = "section_replace", section_marker = marker, new_section = section.GetString() };
        return null;
    }

    private static string? DurationAdjust(JsonElement patch, out object? normalized)
    {
        normalized = null;
        if (!patch.TryGetProperty("beat_adjustments", out var list) || list.ValueKind != JsonValueKind.Array || list.GetArrayLength() is 0 or > MaxItems)
        {
            return $"duration_adjust needs beat_adjustments: a list of 1-{MaxItems} {{beat_id, duration}} objects";
        }

        var items = new List<object>();
        foreach (var item in list.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("beat_id", out var beat)
                || beat.ValueKind is not (JsonValueKind.String or JsonValueKind.Number)
                || !item.TryGetProperty("duration", out var duration) || duration.ValueKind != JsonValueKind.Number
                || !duration.TryGetDouble(out var seconds) || seconds <= 0 || seconds > 3600)
            {
                return "duration_adjust beat_adjustments must each have a beat_id (string or number) and a duration in seconds (0 < duration <= 3600)";
            }

            items.Add(new { beat_id = beat.ValueKind == JsonValueKind.String ? beat.GetString() : beat.GetRawText(), duration = seconds });
        }

        normalized = new { type = "duration_adjust", beat_adjustments = items };
        return null;
    }

    private static string? LevelAdjust(JsonElement patch, out object? normalized)
    {
        normalized = null;
        if (!patch.TryGetProperty("level_change_db", out var level) || level.ValueKind != JsonValueKind.Number
            || !level.TryGetDouble(out var db) || db is < -60 or > 60)
        {
            return "level_adjust needs level_change_db: a number of decibels between -60 and 60";
        }

        normalized = new { type = "level_adjust", level_change_db = db };
        return null;
    }
}
