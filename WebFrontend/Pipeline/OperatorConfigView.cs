using OrbitGrains.Hosting;

namespace OrbitGrains.WebFrontend.Pipeline;

/// <summary>
/// What GET /api/v1/config/operator shows. Built field by field from the options, never by serialising them,
/// so that a token (security.tokens, ADMIN_TOKEN) cannot appear even if someone adds one to the options later.
/// </summary>
public static class OperatorConfigView
{
    public static object Build(OperatorOptions options, OrbitClusterSettings cluster, string? file) => new
    {
        source = file is null ? "built-in defaults" : Path.GetFileName(file),
        server = new
        {
            host = options.Server.Host,
            port = options.Server.Port,
            workers = options.Server.Workers,
            log_level = options.Server.LogLevel,
            allow_external_bind = options.Server.AllowExternalBind,
        },
        security = new
        {
            authentication = "bearer (admin token, or a user with the operator or admin role)",
            rate_limiting = new
            {
                enabled = options.Security.RateLimiting.Enabled,
                jobs_per_minute = options.Security.RateLimiting.JobsPerMinute,
                requests_per_minute = options.Security.RateLimiting.RequestsPerMinute,
                burst_size = options.Security.RateLimiting.BurstSize,
                scope = "cluster-wide, per client address",
            },
            cors = new
            {
                enabled = options.Security.Cors.Enabled,
                allow_origins = options.Security.Cors.AllowOrigins,
                allow_methods = options.Security.Cors.AllowMethods,
                allow_headers = options.Security.Cors.AllowHeaders,
                allow_credentials = options.Security.Cors.AllowCredentials,
                max_age = options.Security.Cors.MaxAge,
            },
            security_headers = new
            {
                enabled = options.Security.SecurityHeaders.Enabled,
                hsts_max_age = options.Security.SecurityHeaders.HstsMaxAge,
                content_security_policy = options.Security.SecurityHeaders.ContentSecurityPolicy,
                x_frame_options = options.Security.SecurityHeaders.XFrameOptions,
            },
        },
        gates = options.Gates.ToDictionary(pair => pair.Key, pair => new
        {
            required = pair.Value.Required,
            timeout_seconds = pair.Value.TimeoutSeconds > 0 ? pair.Value.TimeoutSeconds : (int?)null,
            auto_approve_after_s = pair.Value.AutoApproveAfterSeconds > 0 ? pair.Value.AutoApproveAfterSeconds : (int?)null,
        }),
        storage = new { backend = cluster.Mode == ClusteringMode.Postgres ? "postgres" : "embedded" },
        pipeline = new
        {
            max_concurrent_jobs = options.Pipeline.MaxConcurrentJobs,
            job_timeout_hours = options.Pipeline.JobTimeoutHours,
            stage_duration_ms = options.Pipeline.StageDurationMs,
            stage_timeouts = options.Pipeline.StageTimeouts,
            runners = options.Pipeline.Runners,
            sse_heartbeat_seconds = options.Pipeline.SseHeartbeatSeconds,
        },
    };
}
