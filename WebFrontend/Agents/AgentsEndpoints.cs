using OrbitGrains.Accounts;
using OrbitGrains.Agents;
using OrbitGrains.Shared;
using OrbitGrains.WebFrontend.Hosting;
using OrbitGrains.WebFrontend.Hosting.Access;
using OrbitGrains.WebFrontend.Hosting.Bodies;

namespace OrbitGrains.WebFrontend.Agents;

/// <summary>
/// The Agents family's dashboard routes (spec: jarvis.md, Dashboard): any bearer of a person (user token, web session
/// token), scoped to that person's workspace. An agent of anyone else is "Agent not found." (404), never a 403.
/// </summary>
public static class AgentsEndpoints
{
    public const string AgentNotFound = "Agent not found.";

    /// <summary>The family's services: the group commit of events, and the hub through which this front end follows people's live feeds.</summary>
    public static IServiceCollection AddAgents(this IServiceCollection services)
    {
        services.AddSingleton<AgentEventBatcher>();
        services.AddSingleton<WebFrontend.Feeds.UserFeedHub>();
        services.AddHostedService(provider => provider.GetRequiredService<WebFrontend.Feeds.UserFeedHub>());
        return services;
    }

    public static IEndpointRouteBuilder MapAgents(this IEndpointRouteBuilder app)
    {
        var dashboard = app.MapGroup("/v1").WithTags("Agents").DisableAntiforgery()
            .RequireAuthorization(OrbitPolicies.Member).WithRefusals(RefusalStyle.UserToken);
        dashboard.MapGet("/agents", ListAsync).WithSummary("The workspace's agents, newest first").Produces<AgentView[]>();
        dashboard.MapPost("/agents", CreateAsync)
            .WithSummary("Create an agent; its token is in this answer only (the list shows it masked)")
            .Produces<CreatedAgentResponse>(StatusCodes.Status201Created);
        dashboard.MapGet("/agents/{id}", GetAsync).WithSummary("One agent (404 \"Agent not found.\")").Produces<AgentView>();
        dashboard.MapPatch("/agents/{id}/status", SetStatusAsync)
            .WithSummary("Set an agent's status: running, idle, paused, error or waiting_approval").Produces<AgentView>();
        dashboard.MapPost("/agents/{id}/revoke-token", RevokeTokenAsync)
            .WithSummary("Revoke the agent's token at once").Produces(StatusCodes.Status204NoContent);
        dashboard.MapPost("/agents/{id}/token", RotateTokenAsync)
            .WithSummary("Give the agent a new token, shown in this answer only; the old one is refused at once")
            .Produces<CreatedAgentResponse>();
        dashboard.MapGet("/agents/{id}/events", AgentEventsAsync)
            .WithSummary("An agent's events, newest first (limit 1..500, default 100)").Produces<AgentEventView[]>();
        dashboard.MapGet("/events", EventsAsync)
            .WithSummary("The workspace's events, newest first (limit 1..500, default 50; agentId narrows to one agent)").Produces<AgentEventView[]>();
        InboxEndpoints.Map(dashboard);
        SpendEndpoints.Map(dashboard);
        AgentsStreamEndpoints.Map(app, dashboard);
        AgentRuntimeEndpoints.Map(app);
        return app;
    }

    private static async Task<IResult> ListAsync(HttpContext http, IGrainFactory grains)
    {
        var userId = http.RequiredUser().Id!;
        var agents = await AgentsOfAsync(grains, userId);
        return Results.Json(agents.OrderByDescending(a => a.CreatedAt).Select(AgentView.From).ToArray());
    }

    private static async Task<IResult> CreateAsync(HttpContext http, Body<CreateAgentRequest> body, IGrainFactory grains)
    {
        var (name, description, problem) = AgentsValidation.Agent(body.Value);
        if (problem is not null)
        {
            return problem;
        }

        var token = TokenHash.NewToken(32);
        var agent = await grains.GetGrain<IWorkspaceGrain>(http.RequiredUser().Id!).CreateAgent(IssuedIds.New(), name, description, TokenHash.Of(token));
        return agent is null
            ? DetailErrors.Error(StatusCodes.Status409Conflict, $"A workspace holds at most {IWorkspaceGrain.MaxAgents} agents.")
            : Results.Json(new CreatedAgentResponse(AgentView.From(agent), token), statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> GetAsync(string id, HttpContext http, IGrainFactory grains) =>
        await OwnedAsync(grains, id, http) is { } agent ? Results.Json(AgentView.From(agent)) : NotFound();

    private static async Task<IResult> SetStatusAsync(string id, HttpContext http, Body<AgentStatusRequest> body, IGrainFactory grains)
    {
        if (!IssuedIds.IsCanonical(id))
        {
            return NotFound();
        }

        if (AgentsValidation.Status(body.Value.Status) is { } problem)
        {
            // An agent of anyone else is not found, whatever the body says.
            return await OwnedAsync(grains, id, http) is null ? NotFound() : problem;
        }

        return await grains.GetGrain<IAgentGrain>(id).SetStatus(http.RequiredUser().Id!, body.Value.Status!) is { } agent
            ? Results.Json(AgentView.From(agent))
            : NotFound();
    }

    private static async Task<IResult> RevokeTokenAsync(string id, HttpContext http, IGrainFactory grains) =>
        IssuedIds.IsCanonical(id) && await grains.GetGrain<IAgentGrain>(id).RevokeToken(http.RequiredUser().Id!) ? Results.NoContent() : NotFound();

    private static async Task<IResult> RotateTokenAsync(string id, HttpContext http, IGrainFactory grains)
    {
        if (!IssuedIds.IsCanonical(id))
        {
            return NotFound();
        }

        var token = TokenHash.NewToken(32);
        return await grains.GetGrain<IAgentGrain>(id).RotateToken(http.RequiredUser().Id!, TokenHash.Of(token)) is { } agent
            ? Results.Json(new CreatedAgentResponse(AgentView.From(agent), token))
            : NotFound();
    }

    private static async Task<IResult> AgentEventsAsync(string id, HttpContext http, IGrainFactory grains)
    {
        if (!IssuedIds.IsCanonical(id))
        {
            return NotFound();
        }

        if (!AgentsValidation.TryLimit(http.Request.Query["limit"], 100, 500, out var limit, out var problem))
        {
            return problem!;
        }

        return await grains.GetGrain<IAgentHistoryGrain>(id).Events(http.RequiredUser().Id!, limit) is { } events
            ? Results.Json(events.Select(AgentEventView.From).ToArray())
            : NotFound();
    }

    private static async Task<IResult> EventsAsync(HttpContext http, IGrainFactory grains)
    {
        if (!AgentsValidation.TryLimit(http.Request.Query["limit"], 50, 500, out var limit, out var problem))
        {
            return problem!;
        }

        var userId = http.RequiredUser().Id!;
        var agentId = http.Request.Query["agentId"].ToString();
        string[] agentIds;
        if (agentId.Length > 0)
        {
            if (!IssuedIds.IsCanonical(agentId))
            {
                return NotFound();
            }

            agentIds = [agentId];
        }
        else
        {
            agentIds = await grains.GetGrain<IWorkspaceGrain>(userId).AgentIds();
        }

        var pages = await Task.WhenAll(agentIds.Select(a => grains.GetGrain<IAgentHistoryGrain>(a).Events(userId, limit)));
        if (agentId.Length > 0 && pages[0] is null)
        {
            return NotFound();
        }

        var newest = pages.Where(p => p is not null).SelectMany(p => p!)
            .OrderByDescending(e => e.CreatedAt).ThenByDescending(e => e.Sequence).Take(limit);
        return Results.Json(newest.Select(AgentEventView.From).ToArray());
    }

    /// <summary>The workspace's agents that exist (an id listed by a create that crashed before the agent was stored is skipped).</summary>
    public static async Task<AgentRecord[]> AgentsOfAsync(IGrainFactory grains, string userId)
    {
        var ids = await grains.GetGrain<IWorkspaceGrain>(userId).AgentIds();
        var agents = await Task.WhenAll(ids.Select(id => grains.GetGrain<IAgentGrain>(id).Get(userId)));
        return agents.OfType<AgentRecord>().ToArray();
    }

    private static async Task<AgentRecord?> OwnedAsync(IGrainFactory grains, string id, HttpContext http) =>
        IssuedIds.IsCanonical(id) ? await grains.GetGrain<IAgentGrain>(id).Get(http.RequiredUser().Id!) : null;

    private static IResult NotFound() => DetailErrors.Error(StatusCodes.Status404NotFound, AgentNotFound);
}
