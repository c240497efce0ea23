using Microsoft.AspNetCore.Authentication;
using OrbitGrains.Shared;
using OrbitGrains.WebFrontend.Admin;

namespace OrbitGrains.WebFrontend.Pipeline;

/// <summary>
/// The gate in front of every Pipeline route: the cluster-wide rate limit first (so that guessing tokens is
/// throttled too), then the credential. The spec's exact answers are written here rather than left to the
/// authorization middleware, whose defaults differ: no token 403, a token that does not authenticate 401 with
/// WWW-Authenticate, an authenticated caller without the operator or admin role 403.
/// Routes marked <see cref="StreamRoute"/> (event streams and their tickets) draw from their own bucket, so a
/// reconnecting stream is never refused for the API requests made beside it; event streams also take a stream
/// ticket (?ticket=) instead of the bearer.
/// </summary>
public sealed class PipelineAccess(OperatorOptions options, IGrainFactory grains, ILogger<PipelineAccess> logger) : IEndpointFilter
{
    public const string OperatorRole = "operator";
    private const string OperatorItem = "pipeline.operator";
    private const string AdminItem = "pipeline.admin";

    /// <summary>Endpoint metadata: a stream route (own rate limit); AcceptsTicket for the event streams themselves.</summary>
    public sealed record StreamRoute(bool AcceptsTicket);

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var stream = http.GetEndpoint()?.Metadata.GetMetadata<StreamRoute>();
        var limits = options.Security.RateLimiting;
        if (limits.Enabled)
        {
            var decision = stream is null
                ? await AcquireAsync($"api:{ClientKey(http)}", new RateLimitPolicy(Math.Max(1, limits.BurstSize), limits.RequestsPerMinute))
                : await AcquireAsync($"pipeline-streams:{ClientKey(http)}", new RateLimitPolicy(Math.Max(1, limits.StreamBurstSize), limits.StreamRequestsPerMinute));
            if (!decision.Allowed)
            {
                return PipelineResults.TooManyRequests(http,
                    stream is null ? "Rate limit exceeded. Please slow down." : "Too many event streams opened. Please wait before reconnecting.",
                    decision.RetryAfterSeconds);
            }
        }

        AuthenticateResult result;
        if (stream is { AcceptsTicket: true } && StreamTickets.Presented(http.Request))
        {
            // A ticket decides on its own: a stream opened with one acts as the operator who asked for it.
            result = await http.AuthenticateAsync(StreamTickets.Scheme);
            if (!result.Succeeded || result.Principal is null)
            {
                return Hosting.DetailErrors.Unauthorized(http, result.Failure?.Message ?? "Invalid stream ticket.");
            }
        }
        else if (BearerAuthenticationHandler.ReadBearer(http.Request) is null)
        {
            return PipelineResults.Detail(StatusCodes.Status403Forbidden, "Not authenticated");
        }
        else
        {
            result = await http.AuthenticateAsync(OrbitAuthSchemes.Bearer);
            if (!result.Succeeded || result.Principal is null)
            {
                return Hosting.DetailErrors.Unauthorized(http, "Invalid authentication token");
            }
        }

        var principal = result.Principal;
        var isAdmin = principal.IsInRole(OrbitAuthSchemes.AdminRole);
        if (!isAdmin && !principal.IsInRole(OperatorRole))
        {
            return PipelineResults.Detail(StatusCodes.Status403Forbidden, "Not enough permissions: the operator or admin role is required");
        }

        http.User = principal;
        http.Items[OperatorItem] = principal.Identity?.Name ?? "operator";
        http.Items[AdminItem] = isAdmin;
        return await next(context);
    }

    /// <summary>
    /// Who acts, for the record. Admins (including the shared admin token, which names nobody) may name the
    /// operator in the body; anyone else is recorded under their own name whatever the body says.
    /// </summary>
    public static string ActingOperator(HttpContext http, string? named)
    {
        var self = http.Items[OperatorItem] as string ?? "operator";
        return http.Items[AdminItem] is true && !string.IsNullOrWhiteSpace(named) ? named.Trim() : self;
    }

    /// <summary>The job-creation limit, checked only for a request that would otherwise create a job.</summary>
    public async Task<RateLimitDecision> AcquireJobCreationAsync(HttpContext http)
    {
        var limits = options.Security.RateLimiting;
        return limits.Enabled
            ? await AcquireAsync($"pipeline-jobs:{ClientKey(http)}", new RateLimitPolicy(limits.JobsPerMinute, limits.JobsPerMinute))
            : new RateLimitDecision(true, 0);
    }

    public static string ClientKey(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    private async Task<RateLimitDecision> AcquireAsync(string key, RateLimitPolicy policy)
    {
        try
        {
            return await grains.GetGrain<IRateLimitGrain>(key).TryAcquire(policy);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Failing open: a cluster hiccup must not lock every operator out of the console.
            logger.LogWarning(ex, "Rate limit check for {Key} failed; allowing the request", key);
            return new RateLimitDecision(true, 0);
        }
    }
}
