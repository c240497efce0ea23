using Microsoft.Extensions.Configuration;

namespace OrbitGrains.WebFrontend.Pipeline;

/// <summary>
/// conf/operator.yaml, bound from configuration section "Operator" so environment variables
/// (OPERATOR__section__key) override the file. Key names follow the YAML (snake_case). Every key of the section
/// must be one of these (<see cref="OperatorConfigurationKeys"/>): a misspelt limit stops the start instead of
/// silently not applying. The original console's names for some keys are read from its file as well
/// (<see cref="OperatorConfigurationKeys.Aliases"/>).
/// </summary>
public sealed class OperatorOptions
{
    public const string Section = "Operator";

    [ConfigurationKeyName("server")] public ServerOptions Server { get; set; } = new();
    [ConfigurationKeyName("security")] public SecurityOptions Security { get; set; } = new();
    [ConfigurationKeyName("gates")] public Dictionary<string, GateOptions> Gates { get; set; } = new(StringComparer.Ordinal);
    [ConfigurationKeyName("storage")] public StorageOptions Storage { get; set; } = new();
    [ConfigurationKeyName("pipeline")] public PipelineOptions Pipeline { get; set; } = new();

    /// <summary>The original console's Gradio UI; accepted so its file loads, not used (this product serves no UI of its own here).</summary>
    [ConfigurationKeyName("ui")] public UiOptions Ui { get; set; } = new();
}

public sealed class ServerOptions
{
    [ConfigurationKeyName("host")] public string Host { get; set; } = "127.0.0.1";
    [ConfigurationKeyName("port")] public int Port { get; set; } = 8080;
    [ConfigurationKeyName("workers")] public int Workers { get; set; } = 1;
    [ConfigurationKeyName("log_level")] public string LogLevel { get; set; } = "info";
    [ConfigurationKeyName("allow_external_bind")] public bool AllowExternalBind { get; set; }
}

public sealed class SecurityOptions
{
    [ConfigurationKeyName("rate_limiting")] public RateLimitingOptions RateLimiting { get; set; } = new();
    [ConfigurationKeyName("cors")] public CorsOptions Cors { get; set; } = new();
    [ConfigurationKeyName("security_headers")] public SecurityHeadersOptions SecurityHeaders { get; set; } = new();
    [ConfigurationKeyName("tokens")] public TokenOptions Tokens { get; set; } = new();

    /// <summary>The environment variable holding the admin token (the original's admin_token_env); ADMIN_TOKEN itself always counts first.</summary>
    [ConfigurationKeyName("admin_token_env")] public string AdminTokenEnv { get; set; } = "ADMIN_TOKEN";
}

/// <summary>Per client address, cluster-wide. Requests and stream openings draw from separate buckets.</summary>
public sealed class RateLimitingOptions
{
    [ConfigurationKeyName("enabled")] public bool Enabled { get; set; } = true;

    /// <summary>Jobs created per minute (the original: job_creation_per_minute).</summary>
    [ConfigurationKeyName("jobs_per_minute")] public int JobsPerMinute { get; set; } = 5;

    /// <summary>API requests per minute, refilling a bucket of burst_size (the original: api_requests_per_minute).</summary>
    [ConfigurationKeyName("requests_per_minute")] public int RequestsPerMinute { get; set; } = 60;
    [ConfigurationKeyName("burst_size")] public int BurstSize { get; set; } = 10;

    /// <summary>Event-stream openings and stream tickets per minute: a reconnecting stream never spends the API budget.</summary>
    [ConfigurationKeyName("stream_requests_per_minute")] public int StreamRequestsPerMinute { get; set; } = 120;
    [ConfigurationKeyName("stream_burst_size")] public int StreamBurstSize { get; set; } = 30;
}

public sealed class CorsOptions
{
    [ConfigurationKeyName("enabled")] public bool Enabled { get; set; }
    [ConfigurationKeyName("allow_origins")] public List<string> AllowOrigins { get; set; } = [];
    [ConfigurationKeyName("allow_methods")] public List<string> AllowMethods { get; set; } = [];
    [ConfigurationKeyName("allow_headers")] public List<string> AllowHeaders { get; set; } = [];
    [ConfigurationKeyName("expose_headers")] public List<string> ExposeHeaders { get; set; } = [];
    [ConfigurationKeyName("allow_credentials")] public bool AllowCredentials { get; set; }
    [ConfigurationKeyName("max_age")] public int MaxAge { get; set; } = 600;
}

public sealed class SecurityHeadersOptions
{
    [ConfigurationKeyName("enabled")] public bool Enabled { get; set; } = true;

    /// <summary>Strict-Transport-Security max-age in seconds, sent over HTTPS only (the original: hsts_seconds).</summary>
    [ConfigurationKeyName("hsts_max_age")] public int HstsMaxAge { get; set; } = 31536000;
    [ConfigurationKeyName("content_security_policy")] public string ContentSecurityPolicy { get; set; } = "default-src 'self'";
    [ConfigurationKeyName("x_content_type_options")] public string XContentTypeOptions { get; set; } = "nosniff";
    [ConfigurationKeyName("x_frame_options")] public string XFrameOptions { get; set; } = "DENY";
    [ConfigurationKeyName("x_xss_protection")] public string XXssProtection { get; set; } = "1; mode=block";
}

/// <summary>Read at start-up only; never serialised anywhere.</summary>
public sealed class TokenOptions
{
    /// <summary>Counts only when ADMIN_TOKEN is unset (the original: security.default_token).</summary>
    [ConfigurationKeyName("admin_token")] public string? AdminToken { get; set; }
}

public sealed class GateOptions
{
    /// <summary>A required gate waits for a person; an optional one is passed at once unless review is set.</summary>
    [ConfigurationKeyName("required")] public bool Required { get; set; }

    /// <summary>A waiting gate fails the job after this many seconds; 0: never.</summary>
    [ConfigurationKeyName("timeout_seconds")] public int TimeoutSeconds { get; set; }

    /// <summary>Whether the timer may approve this gate at all (the original's switch); false leaves auto_approve_after_s unused.</summary>
    [ConfigurationKeyName("auto_approve")] public bool AutoApprove { get; set; } = true;

    /// <summary>
    /// Required gate: the timer approves it after this many seconds (0: never). Optional gate: the length of its
    /// review window, used only with review: true.
    /// </summary>
    [ConfigurationKeyName("auto_approve_after_s")] public int AutoApproveAfterSeconds { get; set; }

    /// <summary>Optional gates only: wait auto_approve_after_s for a person before the timer approves.</summary>
    [ConfigurationKeyName("review")] public bool Review { get; set; }
}

/// <summary>
/// Job state lives in the cluster's grain storage, so the original's paths and retention are accepted (its file
/// loads) but have no effect; max_events_per_job applies.
/// </summary>
public sealed class StorageOptions
{
    [ConfigurationKeyName("db_path")] public string? DbPath { get; set; }
    [ConfigurationKeyName("runs_dir")] public string? RunsDir { get; set; }
    [ConfigurationKeyName("artifacts_dir")] public string? ArtifactsDir { get; set; }
    [ConfigurationKeyName("events_retention_days")] public int? EventsRetentionDays { get; set; }

    /// <summary>Events each job keeps, the newest; 1 to 1000 (the default).</summary>
    [ConfigurationKeyName("max_events_per_job")] public int MaxEventsPerJob { get; set; } = 1000;
}

public sealed class PipelineOptions
{
    /// <summary>Jobs running at once, cluster-wide; more are queued (status "queued") and start in order. 0: no limit.</summary>
    [ConfigurationKeyName("max_concurrent_jobs")] public int MaxConcurrentJobs { get; set; }
    [ConfigurationKeyName("job_timeout_hours")] public double JobTimeoutHours { get; set; } = 24;
    [ConfigurationKeyName("stage_duration_ms")] public int StageDurationMs { get; set; } = 2000;

    /// <summary>Seconds per stage before it fails the job; 0 or absent: no limit.</summary>
    [ConfigurationKeyName("stage_timeouts")] public Dictionary<string, int> StageTimeouts { get; set; } = new(StringComparer.Ordinal);
    [ConfigurationKeyName("runners")] public Dictionary<string, string> Runners { get; set; } = new(StringComparer.Ordinal);
    [ConfigurationKeyName("sse_heartbeat_seconds")] public double SseHeartbeatSeconds { get; set; } = 5;
}

/// <summary>The original's Gradio UI settings: accepted, not used.</summary>
public sealed class UiOptions
{
    [ConfigurationKeyName("enabled")] public bool? Enabled { get; set; }
    [ConfigurationKeyName("host")] public string? Host { get; set; }
    [ConfigurationKeyName("port")] public int? Port { get; set; }
    [ConfigurationKeyName("share")] public bool? Share { get; set; }
    [ConfigurationKeyName("debug")] public bool? Debug { get; set; }
    [ConfigurationKeyName("features")] public UiFeatureOptions Features { get; set; } = new();
}

public sealed class UiFeatureOptions
{
    [ConfigurationKeyName("real_time_updates")] public bool? RealTimeUpdates { get; set; }
    [ConfigurationKeyName("sse_enabled")] public bool? SseEnabled { get; set; }
    [ConfigurationKeyName("polling_fallback")] public bool? PollingFallback { get; set; }
    [ConfigurationKeyName("download_artifacts")] public bool? DownloadArtifacts { get; set; }
    [ConfigurationKeyName("job_cancellation")] public bool? JobCancellation { get; set; }
}
