using System.Text.Json;
using System.Text.RegularExpressions;
using OrbitGrains.Pipeline;

namespace OrbitGrains.WebFrontend.Pipeline;

/// <summary>
/// Checks the request records of the job routes field by field, so that every bad input gets a 4xx with a
/// {"detail"} naming the problem (422 for a field, 400 for an unknown stage). The bodies themselves are read by
/// <see cref="Hosting.Bodies.RequestBodies"/>: size, UTF-8, depth and member types are settled before this runs.
/// </summary>
public static partial class PipelineRequests
{
    public const int MaxBodyBytes = 64 * 1024;

    /// <param name="Brief">The brief sent as free text.</param>
    /// <param name="BriefJson">The brief sent as a JSON object (the original's structured brief: title, tone, target_len_sec, ...).</param>
    /// <param name="FreeTextBrief">meta.free_text_brief, which the original compiled into the job's brief.</param>
    public sealed record CreateBody(string Slug, string Intent, string? Brief, string? BriefConfigJson, string? MetaJson, string? BriefJson, string? FreeTextBrief);

    public sealed record DecisionBody(string Stage, string? Operator, string? Notes, GatePatch? Patch);

    /// <summary>Either a parsed value or the error to answer with.</summary>
    public sealed record Parsed<T>(T? Value, IResult? Error) where T : class;

    public static Parsed<CreateBody> ParseCreate(CreateJobRequest body)
    {
        if (RequiredString(body.Slug, "slug", 100, out var slug) is { } slugError)
        {
            return Invalid<CreateBody>(slugError);
        }

        if (!SlugPattern().IsMatch(slug!))
        {
            return Invalid<CreateBody>("slug must be 1-100 characters of letters, digits, '.', '_' or '-', starting with a letter or digit");
        }

        if (RequiredString(body.Intent, "intent", 2000, out var intent) is { } intentError)
        {
            return Invalid<CreateBody>(intentError);
        }

        string? brief = null;
        string? briefJson = null;
        switch (body.Brief)
        {
            case { ValueKind: JsonValueKind.Object } structured:
                if (StructuredBrief(structured) is { } structuredError)
                {
                    return Invalid<CreateBody>(structuredError);
                }

                briefJson = structured.GetRawText();
                break;
            case { ValueKind: JsonValueKind.String } text:
                if (OptionalString(text.GetString(), "brief", 50_000, out brief) is { } briefError)
                {
                    return Invalid<CreateBody>(briefError);
                }

                break;
            case { ValueKind: not JsonValueKind.Null }:
                return Invalid<CreateBody>("brief must be a string or a JSON object (title, tone, target_len_sec, ...)");
        }

        if (OptionalObject(body.BriefConfig, "brief_config", out var briefConfig) is { } configError)
        {
            return Invalid<CreateBody>(configError);
        }

        if (OptionalObject(body.Meta, "meta", out var meta) is { } metaError)
        {
            return Invalid<CreateBody>(metaError);
        }

        string? freeText = null;
        if (meta is not null && OptionalString(body.Meta!.Value, "free_text_brief", BriefCompiler.MaxTextLength, out freeText) is { } freeTextError)
        {
            return Invalid<CreateBody>("meta." + freeTextError);
        }

        return new Parsed<CreateBody>(new CreateBody(slug!, intent!, brief, briefConfig, meta, briefJson, string.IsNullOrWhiteSpace(freeText) ? null : freeText), null);
    }

    /// <summary>
    /// The original's structured brief: its known fields must have their types; other fields (target_len_sec, ...)
    /// are kept as sent.
    /// </summary>
    private static string? StructuredBrief(JsonElement brief)
    {
        foreach (var property in brief.EnumerateObject())
        {
            var kind = property.Value.ValueKind;
            var problem = property.Name switch
            {
                "title" or "intent" or "tone" or "notes" when kind is not (JsonValueKind.String or JsonValueKind.Null) => "must be a string",
                "audience" or "keywords_include" or "keywords_exclude" or "sources_preferred"
                    when kind != JsonValueKind.Null && (kind != JsonValueKind.Array || property.Value.EnumerateArray().Any(item => item.ValueKind != JsonValueKind.String))
                    => "must be a list of strings",
                "video" or "monetization" when kind is not (JsonValueKind.Object or JsonValueKind.Null) => "must be a JSON object",
                "target_len_sec" when kind != JsonValueKind.Null && (kind != JsonValueKind.Number || !property.Value.TryGetDouble(out var seconds) || seconds is <= 0 or > 86_400)
                    => "must be a number of seconds from 1 to 86400",
                _ => null,
            };
            if (problem is not null)
            {
                return $"brief.{property.Name} {problem}";
            }
        }

        return null;
    }

    public static Parsed<DecisionBody> ParseDecision(GateDecisionRequest body, bool allowPatch)
    {
        if (RequiredString(body.Stage, "stage", 64, out var stage) is { } stageError)
        {
            return Invalid<DecisionBody>(stageError);
        }

        if (!PipelineStages.IsKnown(stage))
        {
            return new Parsed<DecisionBody>(null, PipelineResults.Detail(StatusCodes.Status400BadRequest,
                $"Unknown stage '{stage}'. Stages: {string.Join(", ", PipelineStages.All)}"));
        }

        if (OptionalString(body.Operator, "operator", 100, out var operatorName) is { } operatorError)
        {
            return Invalid<DecisionBody>(operatorError);
        }

        if (OptionalString(body.Notes, "notes", 5000, out var notes) is { } notesError)
        {
            return Invalid<DecisionBody>(notesError);
        }

        GatePatch? patch = null;
        if (body.Patch is { ValueKind: not JsonValueKind.Null } patchElement)
        {
            if (!allowPatch)
            {
                return Invalid<DecisionBody>("patch is only accepted when rejecting a gate");
            }

            if (PatchParser.Parse(patchElement, out patch) is { } patchError)
            {
                return Invalid<DecisionBody>(patchError);
            }

            if (!PatchRules.Allows(stage!, patch!.Kind))
            {
                var allowed = PatchRules.KindsFor(stage!);
                return new Parsed<DecisionBody>(null, PipelineResults.Detail(StatusCodes.Status400BadRequest, allowed.Count == 0
                    ? $"Patch type {patch.Kind} is not valid for stage {stage}: this stage takes no patches"
                    : $"Patch type {patch.Kind} is not valid for stage {stage}; use {string.Join(" or ", allowed)}"));
            }
        }

        return new Parsed<DecisionBody>(new DecisionBody(stage!, operatorName, notes, patch), null);
    }

    /// <summary>A required member of a JSON object (a patch): absent, null or not a string is an error.</summary>
    public static string? RequiredString(JsonElement body, string name, int maxLength, out string? value)
    {
        value = null;
        if (body.TryGetProperty(name, out var element) && element.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
        {
            return $"{name} must be a string";
        }

        return RequiredString(element.ValueKind == JsonValueKind.String ? element.GetString() : null, name, maxLength, out value);
    }

    public static string? RequiredString(string? given, string name, int maxLength, out string? value)
    {
        value = null;
        if (given is null)
        {
            return $"{name} is required";
        }

        value = given.Trim();
        if (value.Length == 0)
        {
            return $"{name} must not be empty";
        }

        return value.Length > maxLength ? $"{name} is longer than {maxLength} characters" : null;
    }

    /// <summary>An optional string member of a JSON object (meta, a structured brief): absent or null is fine, another type is an error.</summary>
    public static string? OptionalString(JsonElement body, string name, int maxLength, out string? value)
    {
        value = null;
        if (!body.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return element.ValueKind == JsonValueKind.String
            ? OptionalString(element.GetString(), name, maxLength, out value)
            : $"{name} must be a string";
    }

    public static string? OptionalString(string? given, string name, int maxLength, out string? value)
    {
        value = given;
        return value is not null && value.Length > maxLength ? $"{name} is longer than {maxLength} characters" : null;
    }

    private static string? OptionalObject(JsonElement? given, string name, out string? json)
    {
        json = null;
        if (given is not { ValueKind: not JsonValueKind.Null } element)
        {
            return null;
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            return $"{name} must be a JSON object";
        }

        json = element.GetRawText();
        return null;
    }

    private static Parsed<T> Invalid<T>(string detail) where T : class => Fail<T>(StatusCodes.Status422UnprocessableEntity, detail);

    private static Parsed<T> Fail<T>(int status, string detail) where T : class => new(null, PipelineResults.Detail(status, detail));

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")]
    private static partial Regex SlugPattern();
}
