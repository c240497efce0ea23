using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using OrbitGrains.Hosting;
using OrbitGrains.WebFrontend.Hosting.Bodies;

namespace OrbitGrains.WebFrontend.Pipeline;

/// <summary>The operator console's routes about the console itself: configuration, brief compilation, patch types (spec: operator.md).</summary>
public static class PipelineConsoleRoutes
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/config/operator", (OperatorConfiguration.Loaded loaded, OrbitClusterSettings cluster, IServer server) =>
                PipelineJson.Ok(OperatorConfigView.Build(loaded.Options, cluster, loaded.FilePath, Listening(server))))
            .WithSummary("The operator configuration, without any secret; server.port is the port really listened on, gates in pipeline order");
        api.MapPost("/config/validate", Validate)
            .WithSummary("Reads the configuration file as the next start would and says whether it would start, and if not why")
            .Produces<ConfigValidationResponse>();
        api.MapPost("/compile-brief", Compile)
            .WithSummary("Compiles a free-text brief ({\"free_text_brief\"}) into a structured brief, naming every default it assumed")
            .Produces<CompiledBriefResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        api.MapGet("/patches/types", () => PipelineJson.Ok(PatchCatalog.Describe()))
            .WithSummary("The patch types each stage's gate accepts, with an example of each");
    }

    private static IResult Validate(OperatorConfiguration.Loaded loaded)
    {
        var problems = OperatorConfiguration.Check(loaded.FilePath);
        var source = loaded.FilePath is null ? "built-in defaults" : Path.GetFileName(loaded.FilePath);
        var message = problems.Count == 0
            ? "Configuration is valid"
            : $"Configuration is invalid: the next start would stop with {problems.Count} problem{(problems.Count == 1 ? "" : "s")}";
        return PipelineJson.Ok(new ConfigValidationResponse(problems.Count == 0, message, DateTimeOffset.UtcNow, source, problems));
    }

    private static IResult Compile(Body<CompileBriefRequest> body)
    {
        if (string.IsNullOrWhiteSpace(body.Value.FreeTextBrief))
        {
            return PipelineResults.Detail(StatusCodes.Status400BadRequest, "free_text_brief is required");
        }

        if (PipelineRequests.OptionalString(body.Value.FreeTextBrief, "free_text_brief", BriefCompiler.MaxTextLength, out var text) is { } problem)
        {
            return PipelineResults.Detail(StatusCodes.Status422UnprocessableEntity, problem);
        }

        var compiled = BriefCompiler.Compile(text!);
        return PipelineJson.Ok(new CompiledBriefResponse(compiled.Brief, compiled.Assumptions, text!));
    }

    private static List<string> Listening(IServer server) =>
        server.Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];
}
