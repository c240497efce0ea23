using OrbitGrains.Pipeline;
using OrbitGrains.WebFrontend.Hosting.Bodies;

namespace OrbitGrains.WebFrontend.Pipeline;

/// <summary>The original console's gate-decision and direct-patch routes (spec: operator.md; shapes of the original's routes).</summary>
public static class PipelineGateRoutes
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/jobs/{id}/gates/{stage}/decision", DecisionAsync)
            .WithSummary("The newest decision of a stage's gate; 404 when it has none")
            .Produces<GateDecisionResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/jobs/{id}/gates/decisions", DecisionsAsync)
            .WithSummary("Every stage's newest gate decision, and all decisions in order")
            .Produces<GateDecisionsResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/jobs/{id}/patches/{stage}/apply", ApplyAsync)
            .WithSummary("Applies a patch (the body: {type, ...}) straight to a finished stage's artifact; the stage's runner records the patched artifact")
            .Produces<PatchAppliedResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
    }

    private static async Task<IResult> DecisionAsync(string id, string stage, IGrainFactory grains)
    {
        if (!PipelineStages.IsKnown(stage))
        {
            return UnknownStage(stage);
        }

        var decisions = PipelineEndpoints.IsJobId(id) ? await grains.GetGrain<IPipelineJobGrain>(id).GetDecisions() : null;
        if (decisions is null)
        {
            return PipelineEndpoints.NotFound(id);
        }

        return decisions.LastOrDefault(decision => decision.Rule.Stage == stage) is { } newest
            ? PipelineJson.Ok(GateDecisionResponse.From(newest))
            : PipelineResults.Detail(StatusCodes.Status404NotFound, $"No gate decision found for stage {stage}");
    }

    private static async Task<IResult> DecisionsAsync(string id, IGrainFactory grains)
    {
        var decisions = PipelineEndpoints.IsJobId(id) ? await grains.GetGrain<IPipelineJobGrain>(id).GetDecisions() : null;
        if (decisions is null)
        {
            return PipelineEndpoints.NotFound(id);
        }

        var newest = PipelineStages.All
            .Select(stage => decisions.LastOrDefault(decision => decision.Rule.Stage == stage))
            .Where(decision => decision is not null)
            .ToDictionary(decision => decision!.Rule.Stage, decision => GateDecisionResponse.From(decision!));
        return PipelineJson.Ok(new GateDecisionsResponse(id, newest, newest.Count, decisions.Select(GateDecisionResponse.From).ToArray()));
    }

    private static async Task<IResult> ApplyAsync(string id, string stage, Body<PatchRequest> body, HttpContext http, IGrainFactory grains)
    {
        if (!PipelineEndpoints.IsJobId(id))
        {
            return PipelineEndpoints.NotFound(id);
        }

        if (!PipelineStages.IsKnown(stage))
        {
            return UnknownStage(stage);
        }

        // The original took the patch itself as the body; {"patch": {...}}, as in a rejection, is read too.
        if (PatchParser.Parse(body.Value.Patch, out var patch) is { } patchError)
        {
            return PipelineResults.Detail(StatusCodes.Status422UnprocessableEntity, patchError);
        }

        var grain = grains.GetGrain<IPipelineJobGrain>(id);
        var outcome = await grain.ApplyPatch(stage, patch!, PipelineAccess.ActingOperator(http, null));
        if (!outcome.Ok)
        {
            return PipelineResults.FromOutcome(outcome);
        }

        var artifact = (await grain.GetArtifacts())?.LastOrDefault(a => a.Stage == stage);
        return PipelineJson.Ok(new PatchAppliedResponse(outcome.Detail, artifact is null ? null : PipelineJson.Artifact(artifact)));
    }

    private static IResult UnknownStage(string stage) =>
        PipelineResults.Detail(StatusCodes.Status400BadRequest, $"Unknown stage '{stage}'. Stages: {string.Join(", ", PipelineStages.All)}");
}
