using OrbitGrains.Accounts;
using OrbitGrains.Shared;
using OrbitGrains.WebFrontend.Hosting.Access;

namespace OrbitGrains.WebFrontend.Pipeline;

/// <summary>
/// The cluster-wide rate limits in front of every Pipeline route, and who acts. Who may call at all is the
/// authentication layer's: the group requires <see cref="OrbitPolicies.Operator"/>, refused in the spec's shape
/// (<see cref="RefusalStyle.Operator"/>: no token 403, a bad one 401 with WWW-Authenticate, no role 403), and the
/// event streams also take a stream ticket (<see cref="StreamTickets.Policy"/>).
/// Routes marked <see cref="StreamRoute"/> (event streams and their tickets) draw from their own bucket, so a
/// reconnecting stream is never refused for the API requests made beside it.
/// </summary>
public sealed class PipelineAccess(OperatorOptions options, IGrainFactory grains, ILogger<PipelineAccess> logger) : IEndpointFilter
{
    /// <summary>Endpoint metadata: a stream route (own rate limit); AcceptsTicket for the event streams themselves.</summary>
    public sealed record StreamRoute(bool AcceptsTicket);

    /// <summary>Whether an account may use the console: it holds the operator or admin role (the routes' policy, as a rule on the record).</summary>
    public static bool IsOperator(UserRecord account) => account.Roles.Contains(AccountRoles.Operator) || account.Roles.Contains(AccountRoles.Admin);

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

        return await next(context);
    }

    /// <summary>
    /// Who acts, for the record. Admins (including the shared admin token, which names nobody) may name the
    /// operator in the body; anyone else is recorded under their own name whatever the body says.
    /// </summary>
    public static string ActingOperator(HttpContext http, string? named)
    {
        var caller = http.CurrentUser();
        var self = caller?.Name is { Length: > 0 } name ? name : "operator";
        return caller is { IsAdmin: true } && !string.IsNullOrWhiteSpace(named) ? named.Trim() : self;
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
