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

    public sealed record CreateBody(string Slug, string Intent, string? Brief, string? BriefConfigJson, string? MetaJson);

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

        if (OptionalString(body.Brief, "brief", 50_000, out var brief) is { } briefError)
        {
            return Invalid<CreateBody>(briefError);
        }

        if (OptionalObject(body.BriefConfig, "brief_config", out var briefConfig) is { } configError)
        {
            return Invalid<CreateBody>(configError);
        }

        if (OptionalObject(body.Meta, "meta", out var meta) is { } metaError)
        {
            return Invalid<CreateBody>(metaError);
        }

        return new Parsed<CreateBody>(new CreateBody(slug!, intent!, brief, briefConfig, meta), null);
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
