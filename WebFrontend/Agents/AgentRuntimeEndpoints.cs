using OrbitGrains.Agents;
using OrbitGrains.Shared;
using OrbitGrains.WebFrontend.Hosting;
using OrbitGrains.WebFrontend.Hosting.Access;
using OrbitGrains.WebFrontend.Hosting.Bodies;

namespace OrbitGrains.WebFrontend.Agents;

/// <summary>
/// The agent runtime routes (spec: jarvis.md, Agent runtime): `X-Agent-Token` only, and an agent acts only for itself
/// (the agent comes from its token, never from the request).
/// </summary>
public static class AgentRuntimeEndpoints
{
    public const string CommandNotFound = "Command not found.";

    public static void Map(IEndpointRouteBuilder app)
    {
        var runtime = app.MapGroup("/v1").WithTags("Agents").DisableAntiforgery()
            .RequireAuthorization(OrbitPolicies.AgentToken).WithRefusals(RefusalStyle.AgentToken);
        runtime.MapPost("/events", RecordAsync)
            .WithSummary("Report an event (header X-Agent-Token); with requiresApproval it opens a pending inbox task")
            .Produces<RecordedEventResponse>(StatusCodes.Status201Created);
        runtime.MapGet("/commands", CommandsAsync)
            .WithSummary("The agent's pending commands, oldest first (since: an ISO 8601 time)").Produces<AgentCommandView[]>();
        runtime.MapGet("/commands/listen", ListenAsync)
            .WithSummary("Long-poll: the agent's pending commands as soon as there are any (queued through any front end), else [] after timeout seconds (default 20, at most 25)")
            .Produces<AgentCommandView[]>();
        runtime.MapPost("/commands/{id}/ack", AckAsync)
            .WithSummary("Acknowledge a command (404 \"Command not found.\")").Produces<AgentCommandView>();
    }

    private static async Task<IResult> RecordAsync(HttpContext http, Body<AgentEventRequest> body, AgentEventBatcher batcher)
    {
        var (newEvent, problem) = AgentsValidation.Event(body.Value);
        if (problem is not null)
        {
            return problem;
        }

        var recorded = await batcher.RecordAsync(AgentId(http), newEvent!);
        return recorded is null
            ? DetailErrors.Error(StatusCodes.Status409Conflict, $"This agent already has {IAgentGrain.MaxPendingTasks} pending inbox items.")
            : Results.Json(new RecordedEventResponse(AgentEventView.From(recorded.Event), recorded.TaskId), statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> CommandsAsync(HttpContext http, IGrainFactory grains)
    {
        if (!AgentsValidation.TrySince(http.Request.Query["since"], out var since, out var problem))
        {
            return problem!;
        }

        var commands = await Agent(http, grains).PendingCommands(since);
        return Results.Json(commands.Select(AgentCommandView.From).ToArray());
    }

    private static async Task<IResult> ListenAsync(HttpContext http, IGrainFactory grains)
    {
        if (!AgentsValidation.TryListenTimeout(http.Request.Query["timeout"], out var timeout, out var problem))
        {
            return problem!;
        }

        // The plain read first (it records the visit and hands on stored commands); only an agent with nothing pending waits,
        // on its queue, in a call that writes nothing.
        var agentId = AgentId(http);
        var commands = await grains.GetGrain<IAgentGrain>(agentId).PendingCommands(null);
        if (commands.Length == 0 && timeout > TimeSpan.Zero)
        {
            commands = await grains.GetGrain<IAgentCommandsGrain>(agentId).Listen(timeout);
        }

        return Results.Json(commands.Select(AgentCommandView.From).ToArray());
    }

    private static async Task<IResult> AckAsync(string id, HttpContext http, IGrainFactory grains) =>
        IssuedIds.IsCanonical(id) && await Agent(http, grains).Ack(id) is { } command
            ? Results.Json(AgentCommandView.From(command))
            : DetailErrors.Error(StatusCodes.Status404NotFound, CommandNotFound);

    private static IAgentGrain Agent(HttpContext http, IGrainFactory grains) => grains.GetGrain<IAgentGrain>(AgentId(http));

    private static string AgentId(HttpContext http) => http.User.FindFirst(OrbitClaims.Agent)?.Value
        ?? throw new InvalidOperationException("The runtime policy admits agent tokens only, which name their agent.");
}
