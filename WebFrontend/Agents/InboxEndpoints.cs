using OrbitGrains.Agents;
using OrbitGrains.Shared;
using OrbitGrains.WebFrontend.Hosting;
using OrbitGrains.WebFrontend.Hosting.Access;
using OrbitGrains.WebFrontend.Hosting.Bodies;

namespace OrbitGrains.WebFrontend.Agents;

/// <summary>
/// The approval inbox (spec: jarvis.md, Dashboard): the workspace's tasks across its agents, and the decision, which
/// the task's agent stores in one write with the command it queues and the status it sets.
/// </summary>
public static class InboxEndpoints
{
    public const string ItemNotFound = "Inbox item not found.";
    public const string AlreadyDecided = "Inbox item already decided.";

    public static void Map(RouteGroupBuilder dashboard)
    {
        dashboard.MapGet("/inbox", ListAsync)
            .WithSummary("Inbox tasks of every agent, newest first (status pending|approved|rejected; limit 1..500, default 50)")
            .Produces<InboxItemView[]>();
        dashboard.MapPost("/inbox/{id}/decision", DecideAsync)
            .WithSummary("Approve or reject a pending task: queues an approval_decision command for its agent (404 \"Inbox item not found.\", 400 \"Inbox item already decided.\")")
            .Produces<InboxItemView>();
    }

    private static async Task<IResult> ListAsync(HttpContext http, IGrainFactory grains)
    {
        if (!AgentsValidation.TryInboxStatus(http.Request.Query["status"], out var status, out var problem)
            || !AgentsValidation.TryLimit(http.Request.Query["limit"], 50, 500, out var limit, out problem))
        {
            return problem!;
        }

        var userId = http.RequiredUser().Id!;
        var ids = await InboxAgentsAsync(grains, userId);
        var pages = await Task.WhenAll(ids.Select(id => grains.GetGrain<IAgentHistoryGrain>(id).Inbox(userId, status, limit)));
        var newest = pages.Where(p => p is not null).SelectMany(p => p!).OrderByDescending(i => i.Task.CreatedAt).Take(limit);
        return Results.Json(newest.Select(InboxItemView.From).ToArray());
    }

    private static async Task<IResult> DecideAsync(string id, HttpContext http, Body<InboxDecisionRequest> body, IGrainFactory grains)
    {
        var userId = http.RequiredUser().Id!;
        if (!IssuedIds.IsCanonical(id) || await grains.GetGrain<IInboxTaskGrain>(id).Get() is not { } location || location.UserId != userId)
        {
            return NotFound();
        }

        var (decision, comment, problem) = AgentsValidation.Decision(body.Value);
        if (problem is not null)
        {
            return problem;
        }

        var result = await grains.GetGrain<IAgentGrain>(location.AgentId).Decide(userId, id, decision, comment);
        return result switch
        {
            { Outcome: DecisionOutcome.Decided, Item: { } item } => Results.Json(InboxItemView.From(item)),
            { Outcome: DecisionOutcome.AlreadyDecided } => DetailErrors.Error(StatusCodes.Status400BadRequest, AlreadyDecided),
            _ => NotFound(),
        };
    }

    /// <summary>
    /// The agents to ask: those the workspace's inbox index lists, never the agents that have no task. A workspace
    /// whose agents had tasks before the index was kept has it built here once, by asking each of its agents.
    /// </summary>
    private static async Task<string[]> InboxAgentsAsync(IGrainFactory grains, string userId)
    {
        var workspace = grains.GetGrain<IWorkspaceGrain>(userId);
        if (await workspace.InboxAgentIds() is { } indexed)
        {
            return indexed;
        }

        var all = await workspace.AgentIds();
        var probes = await Task.WhenAll(all.Select(id => grains.GetGrain<IAgentHistoryGrain>(id).Inbox(userId, null, 1)));
        var withTasks = all.Where((_, i) => probes[i] is { Length: > 0 }).ToArray();
        await workspace.CompleteInboxIndex(withTasks);
        return withTasks;
    }

    private static IResult NotFound() => DetailErrors.Error(StatusCodes.Status404NotFound, ItemNotFound);
}
