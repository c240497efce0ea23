using System.Globalization;
using OrbitGrains.Relay;
using OrbitGrains.WebFrontend.Accounts;
using OrbitGrains.WebFrontend.Hosting.Access;

namespace OrbitGrains.WebFrontend.Relay;

/// <summary>`GET /relay/artifacts`: a thread's artifacts, newest first, for the web client's artifact panel.</summary>
public static class RelayArtifactsEndpoint
{
    public static IEndpointRouteBuilder MapRelayArtifacts(this IEndpointRouteBuilder app)
    {
        app.MapGet("/relay/artifacts", ListAsync)
            .WithTags("Relay")
            .RequireAuthorization(OrbitPolicies.WebSession).WithRefusals(RefusalStyle.Orbit)
            .WithSummary("Artifacts of one of the caller's threads (?threadId=&limit=50&beforeId=), newest first");
        return app;
    }

    private static async Task<IResult> ListAsync(HttpContext context, IGrainFactory grains)
    {
        var userId = context.RequiredUser().Id!;

        var query = context.Request.Query;
        var threadId = query["threadId"].ToString().Trim();
        if (threadId.Length is 0 or > 200)
        {
            return AccountErrors.Error(StatusCodes.Status400BadRequest, "threadId is required.");
        }

        if (!TryParse(query["limit"], 50, out var limit) || limit is < 1 or > 200)
        {
            return AccountErrors.Error(StatusCodes.Status400BadRequest, "limit must be a whole number from 1 to 200.");
        }

        long? beforeId = null;
        if (!string.IsNullOrEmpty(query["beforeId"]))
        {
            if (!long.TryParse(query["beforeId"], NumberStyles.None, CultureInfo.InvariantCulture, out var before))
            {
                return AccountErrors.Error(StatusCodes.Status400BadRequest, "beforeId must be a whole number.");
            }

            beforeId = before;
        }

        // Threads are keyed by user: another user's thread id names this user's (empty) thread, never theirs.
        var page = await grains.GetGrain<IUserRelayGrain>(userId).Artifacts(threadId, limit, beforeId);
        return Results.Json(new
        {
            artifacts = page.Artifacts.Select(RelayFrames.Artifact),
            nextBeforeId = page.NextBeforeId,
        });
    }

    private static bool TryParse(string? text, int fallback, out int value)
    {
        if (string.IsNullOrEmpty(text))
        {
            value = fallback;
            return true;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }
}
