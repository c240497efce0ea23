using Microsoft.Extensions.Configuration;
using OrbitGrains.Hosting;

namespace OrbitGrains.Cloud;

/// <summary>
/// The Cloud family's settings (spec: cloud.md), from the original's environment variable names. Validated when
/// loaded: a bad value stops the start with one line.
/// </summary>
public sealed record CloudOptions
{
    /// <summary>Launching and running instances one user may have (MAX_INSTANCES_PER_USER, default 2).</summary>
    public int MaxInstancesPerUser { get; init; } = 2;

    /// <summary>LOCAL_DEV_MODE: no AWS; instances are simulated and reach running at 127.0.0.1.</summary>
    public bool LocalDevMode { get; init; }

    /// <summary>LOCAL_VNC_ADDRESS (host:port): the VNC server the proxy reaches for a simulated instance.</summary>
    public string LocalVncHost { get; init; } = "127.0.0.1";
    public int LocalVncPort { get; init; } = 5900;

    /// <summary>LOCAL_GATEWAY_URL: the agent gateway the proxy reaches for a simulated instance.</summary>
    public string LocalGatewayUrl { get; init; } = "ws://127.0.0.1:18789";

    public string? AmiId { get; init; }
    public string? KeyPairName { get; init; }
    public string? SecurityGroupId { get; init; }
    public string? SubnetId { get; init; }

    /// <summary>AWS_ENDPOINT_URL: the EC2 endpoint the SDK calls instead of AWS's (a test endpoint, LocalStack).</summary>
    public string? EndpointUrl { get; init; }
    public string Region { get; init; } = "us-east-1";

    /// <summary>The `ManagedBy` tag value: this deployment's instances, the only ones the reconciler touches.</summary>
    public string ManagedBy { get; init; } = "orbitgrains";

    /// <summary>How often an instance in transition asks the provider (CLOUD_POLL_SEC, default 5 s).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The transition reminder's period: how soon a transition resumes after its silo is gone.</summary>
    public TimeSpan TransitionReminderPeriod { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>CLOUD_RECONCILE_MIN: how often the reconciler runs (default 10 minutes).</summary>
    public TimeSpan ReconcileInterval { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>A launch that has not reached running after this long is failed (and its instance terminated).</summary>
    public TimeSpan LaunchTimeout { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>INSTANCE_IDLE_STOP_MIN: a running instance with no proxy connection this long is stopped; null (default) never.</summary>
    public TimeSpan? IdleStop { get; init; }

    /// <summary>
    /// CLOUD_PROXY_HEARTBEAT_SEC (default 60): how often an open proxy tells its instance grain it is still there. The
    /// calls keep the grain active while a proxy is open, bring the count back after the grain moved (a lost silo), and
    /// a connection that stopped beating for three of these (its front end died) no longer counts.
    /// </summary>
    public TimeSpan ProxyHeartbeat { get; init; } = TimeSpan.FromSeconds(60);

    public const int VncPort = 5900;
    public const int GatewayPort = 18789;

    public static readonly string[] InstanceTypes = ["t3.medium", "t3.large", "t3.xlarge"];
    public const string DefaultInstanceType = "t3.large";

    public static CloudOptions Load(IConfiguration configuration)
    {
        var options = new CloudOptions
        {
            MaxInstancesPerUser = Int(configuration, "MAX_INSTANCES_PER_USER", 2, 1, 1000),
            LocalDevMode = Bool(configuration, "LOCAL_DEV_MODE"),
            LocalGatewayUrl = Text(configuration, "LOCAL_GATEWAY_URL") ?? "ws://127.0.0.1:18789",
            AmiId = Text(configuration, "UBUNTU_AMI_ID"),
            KeyPairName = Text(configuration, "EC2_KEY_PAIR_NAME"),
            SecurityGroupId = Text(configuration, "EC2_SECURITY_GROUP_ID"),
            SubnetId = Text(configuration, "EC2_SUBNET_ID"),
            EndpointUrl = Text(configuration, "AWS_ENDPOINT_URL"),
            Region = Text(configuration, "AWS_REGION") ?? Text(configuration, "AWS_DEFAULT_REGION") ?? "us-east-1",
            ManagedBy = Text(configuration, "CLOUD_MANAGED_BY") ?? "orbitgrains:" + (Text(configuration, "ORLEANS_SERVICE_ID") ?? OrbitClusterSettings.DefaultServiceId),
            PollInterval = TimeSpan.FromSeconds(Int(configuration, "CLOUD_POLL_SEC", 5, 1, 3600)),
            ReconcileInterval = TimeSpan.FromMinutes(Int(configuration, "CLOUD_RECONCILE_MIN", 10, 1, 1440)),
            TransitionReminderPeriod = TimeSpan.FromSeconds(Int(configuration, "CLOUD_TRANSITION_REMINDER_SEC", 60, 1, 3600)),
            LaunchTimeout = TimeSpan.FromMinutes(Int(configuration, "CLOUD_LAUNCH_TIMEOUT_MIN", 15, 1, 1440)),
            IdleStop = Text(configuration, "INSTANCE_IDLE_STOP_MIN") is null ? null
                : TimeSpan.FromMinutes(Int(configuration, "INSTANCE_IDLE_STOP_MIN", 0, 1, 100_000)),
            ProxyHeartbeat = TimeSpan.FromSeconds(Int(configuration, "CLOUD_PROXY_HEARTBEAT_SEC", 60, 1, 3600)),
        };

        if (Text(configuration, "LOCAL_VNC_ADDRESS") is { } vnc)
        {
            var colon = vnc.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(vnc[(colon + 1)..], out var port) || port is < 1 or > 65535)
            {
                throw new OrbitConfigurationException($"LOCAL_VNC_ADDRESS='{vnc}' is not host:port.");
            }

            options = options with { LocalVncHost = vnc[..colon].Trim('[', ']'), LocalVncPort = port };
        }

        if (!Uri.TryCreate(options.LocalGatewayUrl, UriKind.Absolute, out var gateway) || gateway.Scheme is not ("ws" or "wss"))
        {
            throw new OrbitConfigurationException($"LOCAL_GATEWAY_URL='{options.LocalGatewayUrl}' is not a ws:// or wss:// URL.");
        }

        if (options.EndpointUrl is { } endpoint && !Uri.TryCreate(endpoint, UriKind.Absolute, out _))
        {
            throw new OrbitConfigurationException($"AWS_ENDPOINT_URL='{endpoint}' is not an absolute URL.");
        }

        return options;
    }

    private static string? Text(IConfiguration configuration, string key) =>
        configuration[key] is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    private static bool Bool(IConfiguration configuration, string key) => Text(configuration, key) switch
    {
        null => false,
        var v when bool.TryParse(v, out var b) => b,
        "1" => true,
        "0" => false,
        var v => throw new OrbitConfigurationException($"{key}='{v}' is not true or false."),
    };

    private static int Int(IConfiguration configuration, string key, int fallback, int min, int max)
    {
        if (Text(configuration, key) is not { } text)
        {
            return fallback;
        }

        return int.TryParse(text, out var value) && value >= min && value <= max
            ? value
            : throw new OrbitConfigurationException($"{key}='{text}' is not a whole number from {min} to {max}.");
    }
}
