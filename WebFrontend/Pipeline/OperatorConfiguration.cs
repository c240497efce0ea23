using Microsoft.Extensions.Configuration.Memory;
using OrbitGrains.Hosting;
using OrbitGrains.Pipeline;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace OrbitGrains.WebFrontend.Pipeline;

/// <summary>
/// Loads conf/operator.yaml into configuration below every other source, so that environment variables,
/// command-line arguments and test overrides win over the file, and the file wins over the built-in defaults
/// (the shipped operator.yaml, embedded). Then binds and validates it once, at start-up.
/// </summary>
public static partial class OperatorConfiguration
{
    public const string PathKey = "OPERATOR_CONFIG";
    public const string DefaultPath = "conf/operator.yaml";
    private const string DefaultsResource = "OrbitGrains.Operator.defaults.yaml";

    /// <param name="Inert">Keys that were set but have no effect in this product (the original's paths, its UI), for a log line.</param>
    public sealed record Loaded(OperatorOptions Options, string? FilePath, IReadOnlyList<string> Inert);

    public static Loaded Load(WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var path = ResolvePath(configuration[PathKey], builder.Environment.ContentRootPath);
        var sources = ((IConfigurationBuilder)configuration).Sources;
        if (path is not null)
        {
            sources.Insert(0, new MemoryConfigurationSource { InitialData = Flatten(ReadFile(path), path) });
        }

        sources.Insert(0, new MemoryConfigurationSource { InitialData = Flatten(ReadDefaults(), "built-in operator.yaml") });

        var section = configuration.GetSection(OperatorOptions.Section);
        var options = Bind(section, path);
        var problems = OperatorConfigurationKeys.Unknown(section);
        problems.AddRange(Problems(options));
        if (problems.Count > 0)
        {
            throw new OrbitConfigurationException(
                $"Operator configuration{(path is null ? "" : $" ({path} with its OPERATOR__ overrides)")} is invalid: {string.Join("; ", problems)}.");
        }

        // The original read its admin token from the YAML too (and from a variable it names); they only count when
        // ADMIN_TOKEN itself is not set, and SecretStore then refuses a weak one outside Development (such as the
        // shipped placeholder).
        if (string.IsNullOrWhiteSpace(configuration["ADMIN_TOKEN"])
            && (configuration[options.Security.AdminTokenEnv] is { Length: > 0 } named ? named : options.Security.Tokens.AdminToken) is { Length: > 0 } token)
        {
            sources.Insert(2, new MemoryConfigurationSource { InitialData = new Dictionary<string, string?> { ["ADMIN_TOKEN"] = token } });
        }

        return new Loaded(options, path, InertKeys(section));
    }

    /// <summary>
    /// Reads a configuration file as the next start would (built-in defaults, the file, OPERATOR__ environment
    /// variables) and lists what is wrong with it; empty when it would start.
    /// </summary>
    public static IReadOnlyList<string> Check(string? path)
    {
        try
        {
            var builder = new ConfigurationBuilder().Add(new MemoryConfigurationSource { InitialData = Flatten(ReadDefaults(), "built-in operator.yaml") });
            if (path is not null)
            {
                builder.Add(new MemoryConfigurationSource { InitialData = Flatten(ReadFile(path), path) });
            }

            var section = builder.AddEnvironmentVariables().Build().GetSection(OperatorOptions.Section);
            var problems = OperatorConfigurationKeys.Unknown(section);
            problems.AddRange(Problems(Bind(section, path)));
            return problems;
        }
        catch (OrbitConfigurationException ex)
        {
            return [ex.Message];
        }
    }

    private static OperatorOptions Bind(IConfigurationSection section, string? path)
    {
        try
        {
            return section.Get<OperatorOptions>() ?? new OperatorOptions();
        }
        catch (InvalidOperationException ex)
        {
            throw new OrbitConfigurationException($"Operator configuration{(path is null ? "" : $" ({path})")} has a value of the wrong type: {Innermost(ex).Message}", ex);
        }
    }

    /// <summary>Set keys this product accepts for the original's sake but does not use.</summary>
    private static List<string> InertKeys(IConfigurationSection section)
    {
        string[] inert = ["storage:db_path", "storage:runs_dir", "storage:artifacts_dir", "storage:events_retention_days", "ui"];
        return inert.Where(key => section.GetSection(key).Exists()).Select(OperatorConfigurationKeys.Dotted).ToList();
    }

    /// <summary>The file to read, or null when none is configured and the default location has none.</summary>
    public static string? ResolvePath(string? configured, string contentRoot)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            var full = Path.GetFullPath(configured.Trim());
            return File.Exists(full)
                ? full
                : throw new OrbitConfigurationException($"{PathKey}='{configured}' does not exist (resolved to {full}).");
        }

        foreach (var root in new[] { Directory.GetCurrentDirectory(), contentRoot })
        {
            var candidate = Path.Combine(root, DefaultPath);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>YAML mappings and sequences as configuration keys under "Operator:" (sequence items by index).</summary>
    public static Dictionary<string, string?> Flatten(string yaml, string source)
    {
        var result = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException ex)
        {
            throw new OrbitConfigurationException($"{source} is not valid YAML at line {ex.Start.Line}, column {ex.Start.Column}: {Innermost(ex).Message}", ex);
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
        {
            return result;
        }

        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new OrbitConfigurationException($"{source} must be a YAML mapping (server:, security:, gates:, storage:, pipeline:).");
        }

        Walk(root, OperatorOptions.Section, result);
        OperatorConfigurationKeys.RenameAliases(result, source);
        return result;
    }

    private static List<string> Problems(OperatorOptions options)
    {
        var problems = new List<string>();
        var server = options.Server;
        if (server.Port is < 0 or > 65535)
        {
            problems.Add($"server.port {server.Port} is not a TCP port");
        }

        var limits = options.Security.RateLimiting;
        if (limits.JobsPerMinute < 1 || limits.RequestsPerMinute < 1 || limits.BurstSize < 0 || limits.StreamRequestsPerMinute < 1 || limits.StreamBurstSize < 0)
        {
            problems.Add("security.rate_limiting: jobs_per_minute, requests_per_minute and stream_requests_per_minute must be at least 1, " +
                "burst_size and stream_burst_size at least 0");
        }

        if (!EnvironmentVariableName().IsMatch(options.Security.AdminTokenEnv))
        {
            problems.Add($"security.admin_token_env '{options.Security.AdminTokenEnv}' is not an environment variable name");
        }

        var cors = options.Security.Cors;
        if (cors.Enabled)
        {
            if (cors.AllowOrigins.Count == 0)
            {
                problems.Add("security.cors.enabled is true but allow_origins is empty");
            }

            if (cors.AllowCredentials && cors.AllowOrigins.Contains("*"))
            {
                problems.Add("security.cors: allow_credentials cannot be combined with the origin \"*\"");
            }

            foreach (var origin in cors.AllowOrigins.Where(o => o != "*" && !Uri.TryCreate(o, UriKind.Absolute, out _)))
            {
                problems.Add($"security.cors.allow_origins: '{origin}' is not an origin such as https://console.example.org");
            }
        }

        var headers = options.Security.SecurityHeaders;
        var frame = headers.XFrameOptions.Trim().ToUpperInvariant();
        if (frame is not ("DENY" or "SAMEORIGIN"))
        {
            problems.Add($"security.security_headers.x_frame_options '{headers.XFrameOptions}' must be DENY or SAMEORIGIN");
        }

        if (!string.Equals(headers.XContentTypeOptions.Trim(), "nosniff", StringComparison.OrdinalIgnoreCase))
        {
            problems.Add($"security.security_headers.x_content_type_options '{headers.XContentTypeOptions}' must be nosniff (its only value)");
        }

        if (headers.XXssProtection.Trim() is not ("0" or "1" or "1; mode=block"))
        {
            problems.Add($"security.security_headers.x_xss_protection '{headers.XXssProtection}' must be 0, 1 or \"1; mode=block\"");
        }

        foreach (var (stage, gate) in options.Gates)
        {
            if (!PipelineStages.IsKnown(stage))
            {
                problems.Add($"gates.{stage}: unknown stage (stages: {string.Join(", ", PipelineStages.All)})");
            }

            if (gate.TimeoutSeconds < 0 || gate.AutoApproveAfterSeconds < 0)
            {
                problems.Add($"gates.{stage}: timeout_seconds and auto_approve_after_s cannot be negative (0 switches them off)");
            }

            // review on a required gate changes nothing (it waits anyway), so it is not worth refusing a start over.
            if (gate.Review && !gate.Required && (gate.AutoApproveAfterSeconds <= 0 || !gate.AutoApprove))
            {
                problems.Add($"gates.{stage}: review needs auto_approve_after_s, the length of the review window (and auto_approve not false)");
            }
        }

        if (options.Storage.MaxEventsPerJob is < 1 or > PipelineJobEventsGrain.MaxStoredEvents)
        {
            problems.Add($"storage.max_events_per_job must be 1 to {PipelineJobEventsGrain.MaxStoredEvents}");
        }

        var pipeline = options.Pipeline;
        if (pipeline.StageDurationMs < 0 || pipeline.JobTimeoutHours < 0 || pipeline.MaxConcurrentJobs < 0)
        {
            problems.Add("pipeline: stage_duration_ms, job_timeout_hours and max_concurrent_jobs cannot be negative");
        }

        if (pipeline.SseHeartbeatSeconds <= 0)
        {
            problems.Add("pipeline.sse_heartbeat_seconds must be positive");
        }

        foreach (var (stage, seconds) in pipeline.StageTimeouts)
        {
            if (!PipelineStages.IsKnown(stage) || seconds < 0)
            {
                problems.Add($"pipeline.stage_timeouts.{stage}: needs a known stage and seconds >= 0");
            }
        }

        foreach (var (stage, runner) in pipeline.Runners)
        {
            if (!PipelineStages.IsKnown(stage) || runner != SimulatedStageRunner.RunnerName)
            {
                problems.Add($"pipeline.runners.{stage}: '{runner}' is not a stage runner this build has (known: {SimulatedStageRunner.RunnerName})");
            }
        }

        return problems;
    }

    /// <summary>The parts of the configuration a job keeps for its whole life.</summary>
    public static JobSettings JobSettingsFrom(OperatorOptions options) => new(
        Gates: options.Gates
            .Where(pair => PipelineStages.IsKnown(pair.Key))
            .OrderBy(pair => PipelineStages.IndexOf(pair.Key))
            .Select(pair => new GateRule(
                pair.Key,
                pair.Value.Required,
                pair.Value.TimeoutSeconds > 0 ? pair.Value.TimeoutSeconds : null,
                pair.Value.AutoApprove && pair.Value.AutoApproveAfterSeconds > 0 ? pair.Value.AutoApproveAfterSeconds : null,
                pair.Value.Review && !pair.Value.Required))
            .ToArray(),
        StageTimeoutSeconds: options.Pipeline.StageTimeouts.Where(pair => pair.Value > 0).ToDictionary(),
        StageDurationMs: options.Pipeline.StageDurationMs,
        Runners: new Dictionary<string, string>(options.Pipeline.Runners),
        JobTimeoutHours: options.Pipeline.JobTimeoutHours > 0 ? options.Pipeline.JobTimeoutHours : null,
        MaxEvents: options.Storage.MaxEventsPerJob,
        MaxConcurrentJobs: options.Pipeline.MaxConcurrentJobs);

    private static void Walk(YamlNode node, string prefix, Dictionary<string, string?> result)
    {
        switch (node)
        {
            case YamlMappingNode mapping:
                foreach (var (key, value) in mapping.Children)
                {
                    var name = (key as YamlScalarNode)?.Value;
                    if (string.IsNullOrWhiteSpace(name))
                    {
                        throw new OrbitConfigurationException($"Operator configuration: a key under '{prefix}' is not a plain name (line {key.Start.Line}).");
                    }

                    Walk(value, $"{prefix}:{name}", result);
                }

                break;
            case YamlSequenceNode sequence:
                for (var i = 0; i < sequence.Children.Count; i++)
                {
                    Walk(sequence.Children[i], $"{prefix}:{i}", result);
                }

                break;
            case YamlScalarNode scalar when scalar.Value is { Length: > 0 } value && !(scalar.Style == YamlDotNet.Core.ScalarStyle.Plain && value is "~" or "null"):
                result[prefix] = value;
                break;
        }
    }

    private static string ReadFile(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new OrbitConfigurationException($"Cannot read {path}: {ex.Message}", ex);
        }
    }

    private static string ReadDefaults()
    {
        using var stream = typeof(OperatorConfiguration).Assembly.GetManifestResourceStream(DefaultsResource)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static Exception Innermost(Exception ex)
    {
        while (ex.InnerException is not null)
        {
            ex = ex.InnerException;
        }

        return ex;
    }

    [System.Text.RegularExpressions.GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,127}$")]
    private static partial System.Text.RegularExpressions.Regex EnvironmentVariableName();
}
