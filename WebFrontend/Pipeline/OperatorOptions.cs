using Microsoft.Extensions.Configuration;

namespace OrbitGrains.WebFrontend.Pipeline;

/// <summary>
/// conf/operator.yaml, bound from configuration section "Operator" so environment variables
/// (OPERATOR__section__key) override the file. Key names follow the YAML (snake_case).
/// </summary>
public sealed class OperatorOptions
{
    public const string Section = "Operator";

    [ConfigurationKeyName("server")] public ServerOptions Server { get; set; } = new();
    [ConfigurationKeyName("security")] public SecurityOptions Security { get; set; } = new();
    [ConfigurationKeyName("gates")] public Dictionary<string, GateOptions> Gates { get; set; } = new(StringComparer.Ordinal);
    [ConfigurationKeyName("storage")] public StorageOptions Storage { get; set; } = new();
    [ConfigurationKeyName("pipeline")] public PipelineOptions Pipeline { get; set; } = new();
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
}

public sealed class RateLimitingOptions
{
    [ConfigurationKeyName("enabled")] public bool Enabled { get; set; } = true;
    [ConfigurationKeyName("jobs_per_minute")] public int JobsPerMinute { get; set; } = 5;
    [ConfigurationKeyName("requests_per_minute")] public int RequestsPerMinute { get; set; } = 60;
    [ConfigurationKeyName("burst_size")] public int BurstSize { get; set; } = 10;
}

public sealed class CorsOptions
{
    [ConfigurationKeyName("enabled")] public bool Enabled { get; set; }
    [ConfigurationKeyName("allow_origins")] public List<string> AllowOrigins { get; set; } = [];
    [ConfigurationKeyName("allow_methods")] public List<string> AllowMethods { get; set; } = [];
    [ConfigurationKeyName("allow_headers")] public List<string> AllowHeaders { get; set; } = [];
    [ConfigurationKeyName("allow_credentials")] public bool AllowCredentials { get; set; }
    [ConfigurationKeyName("max_age")] public int MaxAge { get; set; } = 600;
}

public sealed class SecurityHeadersOptions
{
    [ConfigurationKeyName("enabled")] public bool Enabled { get; set; } = true;
    [ConfigurationKeyName("hsts_max_age")] public int HstsMaxAge { get; set; } = 31536000;
    [ConfigurationKeyName("content_security_policy")] public string ContentSecurityPolicy { get; set; } = "default-src 'self'";
    [ConfigurationKeyName("x_frame_options")] public string XFrameOptions { get; set; } = "DENY";
}

/// <summary>Read at start-up only; never serialised anywhere.</summary>
public sealed class TokenOptions
{
    [ConfigurationKeyName("admin_token")] public string? AdminToken { get; set; }
}

public sealed class GateOptions
{
    [ConfigurationKeyName("required")] public bool Required { get; set; }
    [ConfigurationKeyName("timeout_seconds")] public int TimeoutSeconds { get; set; }
    [ConfigurationKeyName("auto_approve_after_s")] public int AutoApproveAfterSeconds { get; set; }
}

/// <summary>Nothing to set: job state lives in the cluster's grain storage. Kept so the original's files still bind.</summary>
public sealed class StorageOptions
{
}

public sealed class PipelineOptions
{
    [ConfigurationKeyName("max_concurrent_jobs")] public int MaxConcurrentJobs { get; set; }
    [ConfigurationKeyName("job_timeout_hours")] public double JobTimeoutHours { get; set; } = 24;
    [ConfigurationKeyName("stage_duration_ms")] public int StageDurationMs { get; set; } = 2000;
    [ConfigurationKeyName("stage_timeouts")] public Dictionary<string, int> StageTimeouts { get; set; } = new(StringComparer.Ordinal);
    [ConfigurationKeyName("runners")] public Dictionary<string, string> Runners { get; set; } = new(StringComparer.Ordinal);
    [ConfigurationKeyName("sse_heartbeat_seconds")] public double SseHeartbeatSeconds { get; set; } = 5;
}
