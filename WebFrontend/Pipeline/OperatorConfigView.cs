using OrbitGrains.Hosting;
using OrbitGrains.Pipeline;

namespace OrbitGrains.WebFrontend.Pipeline;

/// <summary>
/// What GET /api/v1/config/operator shows. Built field by field from the options, never by serialising them,
/// so that a token (security.tokens, ADMIN_TOKEN) cannot appear even if someone adds one to the options later.
/// The original console's names are shown beside ours where they differ, since its clients read them.
/// </summary>
public static class OperatorConfigView
{
    /// <param name="listening">The addresses the server really listens on (a configured port 0 becomes the one taken).</param>
    public static object Build(OperatorOptions options, OrbitClusterSettings cluster, string? file, IReadOnlyList<string> listening)
    {
        var (host, port) = HostAndPort(listening.FirstOrDefault(), options.Server);
        var limits = options.Security.RateLimiting;
        var headers = options.Security.SecurityHeaders;
        return new
        {
            source = file is null ? "built-in defaults" : Path.GetFileName(file),
            server = new
            {
                host,
                port,
                listening,
                workers = options.Server.Workers,
                log_level = options.Server.LogLevel,
                allow_external_bind = options.Server.AllowExternalBind,
            },
            security = new
            {
                authentication = "bearer (admin token, or a user with the operator or admin role); event streams also take a stream ticket",
                rate_limiting = new
                {
                    enabled = limits.Enabled,
                    jobs_per_minute = limits.JobsPerMinute,
                    job_creation_per_minute = limits.JobsPerMinute,
                    requests_per_minute = limits.RequestsPerMinute,
                    api_requests_per_minute = limits.RequestsPerMinute,
                    burst_size = limits.BurstSize,
                    stream_requests_per_minute = limits.StreamRequestsPerMinute,
                    stream_burst_size = limits.StreamBurstSize,
                    scope = "cluster-wide, per client address",
                },
                cors = new
                {
                    enabled = options.Security.Cors.Enabled,
                    allow_origins = options.Security.Cors.AllowOrigins,
                    allow_methods = options.Security.Cors.AllowMethods,
                    allow_headers = options.Security.Cors.AllowHeaders,
                    expose_headers = options.Security.Cors.ExposeHeaders,
                    allow_credentials = options.Security.Cors.AllowCredentials,
                    max_age = options.Security.Cors.MaxAge,
                },
                security_headers = new
                {
                    enabled = headers.Enabled,
                    hsts_max_age = headers.HstsMaxAge,
                    hsts_seconds = headers.HstsMaxAge,
                    content_security_policy = headers.ContentSecurityPolicy,
                    x_content_type_options = headers.XContentTypeOptions,
                    x_frame_options = headers.XFrameOptions,
                    x_xss_protection = headers.XXssProtection,
                },
            },
            // In pipeline order, whatever order the file listed them in.
            gates = options.Gates
                .Where(pair => PipelineStages.IsKnown(pair.Key))
                .OrderBy(pair => PipelineStages.IndexOf(pair.Key))
                .ToDictionary(pair => pair.Key, pair => new
                {
                    required = pair.Value.Required,
                    review = pair.Value.Review,
                    auto_approve = pair.Value.AutoApprove,
                    timeout_seconds = pair.Value.TimeoutSeconds > 0 ? pair.Value.TimeoutSeconds : (int?)null,
                    auto_approve_after_s = pair.Value.AutoApproveAfterSeconds > 0 ? pair.Value.AutoApproveAfterSeconds : (int?)null,
                    waits = pair.Value.Required || pair.Value.Review,
                }),
            storage = new
            {
                backend = cluster.Mode == ClusteringMode.Postgres ? "postgres" : "embedded",
                max_events_per_job = options.Storage.MaxEventsPerJob,
            },
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

    private static (string Host, int Port) HostAndPort(string? address, ServerOptions configured)
    {
        // Kestrel reports what it bound, e.g. http://127.0.0.1:41231 for a configured port 0.
        return address is not null && Uri.TryCreate(address.Replace("://+", "://localhost").Replace("://*", "://localhost"), UriKind.Absolute, out var uri)
            ? (uri.Host.Trim('[', ']'), uri.Port)
            : (configured.Host, configured.Port);
    }
}
