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
public static class OperatorConfiguration
{
    public const string PathKey = "OPERATOR_CONFIG";
    public const string DefaultPath = "conf/operator.yaml";
    private const string DefaultsResource = "OrbitGrains.Operator.defaults.yaml";

    public sealed record Loaded(OperatorOptions Options, string? FilePath);

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

        OperatorOptions options;
        try
        {
            options = configuration.GetSection(OperatorOptions.Section).Get<OperatorOptions>() ?? new OperatorOptions();
        }
        catch (InvalidOperationException ex)
        {
            throw new OrbitConfigurationException($"Operator configuration{(path is null ? "" : $" ({path})")} has a value of the wrong type: {Innermost(ex).Message}", ex);
        }

        Validate(options);

        // The original read its admin token from the YAML too; it only counts when ADMIN_TOKEN itself is not set,
        // and SecretStore then refuses it outside Development if it is weak (such as the shipped placeholder).
        if (string.IsNullOrWhiteSpace(configuration["ADMIN_TOKEN"]) && options.Security.Tokens.AdminToken is { Length: > 0 } yamlToken)
        {
            sources.Insert(2, new MemoryConfigurationSource { InitialData = new Dictionary<string, string?> { ["ADMIN_TOKEN"] = yamlToken } });
        }

        return new Loaded(options, path);
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
        return result;
    }

    public static void Validate(OperatorOptions options)
    {
        var problems = new List<string>();
        var server = options.Server;
        if (server.Port is < 0 or > 65535)
        {
            problems.Add($"server.port {server.Port} is not a TCP port");
        }

        var limits = options.Security.RateLimiting;
        if (limits.JobsPerMinute < 1 || limits.RequestsPerMinute < 1 || limits.BurstSize < 0)
        {
            problems.Add("security.rate_limiting: jobs_per_minute and requests_per_minute must be at least 1, burst_size at least 0");
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

        var frame = options.Security.SecurityHeaders.XFrameOptions.Trim().ToUpperInvariant();
        if (frame is not ("DENY" or "SAMEORIGIN"))
        {
            problems.Add($"security.security_headers.x_frame_options '{options.Security.SecurityHeaders.XFrameOptions}' must be DENY or SAMEORIGIN");
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

        if (problems.Count > 0)
        {
            throw new OrbitConfigurationException("Operator configuration is invalid: " + string.Join("; ", problems) + ".");
        }
    }

    /// <summary>The parts of the configuration a job keeps for its whole life.</summary>
    public static JobSettings JobSettingsFrom(OperatorOptions options) => new(
        Gates: options.Gates
            .Where(pair => PipelineStages.IsKnown(pair.Key))
            .Select(pair => new GateRule(
                pair.Key,
                pair.Value.Required,
                pair.Value.TimeoutSeconds > 0 ? pair.Value.TimeoutSeconds : null,
                pair.Value.AutoApproveAfterSeconds > 0 ? pair.Value.AutoApproveAfterSeconds : null))
            .ToArray(),
        StageTimeoutSeconds: options.Pipeline.StageTimeouts.Where(pair => pair.Value > 0).ToDictionary(),
        StageDurationMs: options.Pipeline.StageDurationMs,
        Runners: new Dictionary<string, string>(options.Pipeline.Runners),
        JobTimeoutHours: options.Pipeline.JobTimeoutHours > 0 ? options.Pipeline.JobTimeoutHours : null);

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
}
