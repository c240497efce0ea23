using OrbitGrains.Agents;
using OrbitGrains.WebFrontend.Hosting.Access;
using OrbitGrains.WebFrontend.Hosting.Bodies;

namespace OrbitGrains.WebFrontend.Agents;

/// <summary>
/// Spend and budget (spec: jarvis.md, Dashboard). The budget is enforced: an event that takes the month's spend over
/// it pauses its agent with a `budget_exceeded` command (see <see cref="IAgentGrain.RecordBatch"/>).
/// </summary>
public static class SpendEndpoints
{
    /// <summary>Days of per-day spend <c>GET /v1/spend</c> answers in <c>history</c>.</summary>
    public const int HistoryDays = 30;

    public static void Map(RouteGroupBuilder dashboard)
    {
        dashboard.MapGet("/spend", GetAsync)
            .WithSummary("Spend today and this month (UTC), the monthly budget and each agent's spend this month").Produces<SpendView>();
        dashboard.MapPatch("/spend/budget", SetBudgetAsync)
            .WithSummary("Set the monthly budget ({\"budget\": number > 0}, or null for none); answers the spend").Produces<SpendView>();
    }

    private static async Task<IResult> GetAsync(HttpContext http, IGrainFactory grains) =>
        Results.Json(await SpendAsync(grains, http.RequiredUser().Id!));

    private static async Task<IResult> SetBudgetAsync(HttpContext http, Body<BudgetRequest> body, IGrainFactory grains)
    {
        var (budget, problem) = AgentsValidation.Budget(body.Value);
        if (problem is not null)
        {
            return problem;
        }

        var userId = http.RequiredUser().Id!;
        await grains.GetGrain<IWorkspaceGrain>(userId).SetBudget(budget);
        return Results.Json(await SpendAsync(grains, userId));
    }

    private static async Task<SpendView> SpendAsync(IGrainFactory grains, string userId)
    {
        var workspace = grains.GetGrain<IWorkspaceGrain>(userId);
        var ids = await workspace.AgentIds();
        var agents = (await Task.WhenAll(ids.Select(id => grains.GetGrain<IAgentGrain>(id).Spend(userId)))).OfType<AgentSpend>().ToArray();
        var month = await workspace.Month();
        var history = await workspace.SpendDays(HistoryDays);
        return new SpendView(AgentCosts.Sum(agents.Select(a => a.Daily)), month.Total, month.Budget,
            agents.Select(a => new AgentSpendView(a.AgentId, a.AgentName, a.Monthly)).ToArray(),
            history.Select(d => new DaySpendView(d.Date, d.Spend)).ToArray());
    }
}
