using System.Net;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace OrbitGrains.Hosting;

/// <summary>
/// Where and how the cluster keeps its state, read once from configuration and validated before any host starts.
/// Environment variable names follow the original services (ORLEANS_CLUSTERING, DATA_DIR, DATABASE_PATH, ...).
/// </summary>
public sealed record OrbitClusterSettings
{
    public const string DefaultClusterId = "orbitgrains";
    public const string DefaultServiceId = "orbitgrains";

    public required ClusteringMode Mode { get; init; }
    public required string DataDirectory { get; init; }
    public required string SqlitePath { get; init; }
    public string? PostgresConnectionString { get; init; }
    public string ClusterId { get; init; } = DefaultClusterId;
    public string ServiceId { get; init; } = DefaultServiceId;
    public int SiloPort { get; init; } = 11111;
    public int GatewayPort { get; init; } = 30000;
    public IPAddress AdvertisedAddress { get; init; } = IPAddress.Loopback;
    public string SiloName { get; init; } = Environment.MachineName;

    /// <summary>
    /// Overrides Orleans' one-minute floor for reminder periods (tests and demos use seconds). Null keeps the default.
    /// </summary>
    public TimeSpan? MinimumReminderPeriod { get; init; }

    /// <summary>How much of each relay thread's history is kept (RELAY_HISTORY_*), checked at start like the rest.</summary>
    public Relay.ThreadHistoryOptions RelayHistory { get; init; } = Relay.ThreadHistoryOptions.Default;

    /// <summary>When false, the PostgreSQL schema must have been applied by an operator beforehand.</summary>
    public bool ApplySchema { get; init; } = true;

    /// <summary>
    /// ORLEANS_HOSTING=kubernetes: Orleans' Kubernetes hosting names the silo after its pod, advertises the pod IP,
    /// listens on every interface, takes the cluster and service ids from ORLEANS_CLUSTER_ID/ORLEANS_SERVICE_ID (the
    /// pod's labels, through the downward API) and declares dead the silos whose pods are gone. Needs PostgreSQL
    /// clustering and POD_NAME, POD_NAMESPACE and POD_IP (deploy/k8s sets them).
    /// </summary>
    public bool KubernetesHosting { get; init; }

    /// <summary>
    /// ORLEANS_DASHBOARD (default true): the Orleans dashboard for admins at /dashboard. Off, no silo runs its
    /// collectors (a meter export every second that walks every activation, per-call profiling while it is viewed) and
    /// /dashboard is 404; operators who scrape /metrics lose nothing. One core fanning out room telemetry held
    /// 60,000 deliveries/s at p99 &lt;= 10 ms without it and 50,000 with it (docs/benchmarks.md, "Rooms").
    /// </summary>
    public bool Dashboard { get; init; } = true;

    public static OrbitClusterSettings Load(IConfiguration configuration)
    {
        var modeText = First(configuration, "ORLEANS_CLUSTERING", "Orleans:Clustering") ?? "localhost";
        var mode = modeText.Trim().ToLowerInvariant() switch
        {
            "localhost" or "embedded" or "local" => ClusteringMode.Localhost,
            "postgres" or "postgresql" => ClusteringMode.Postgres,
            _ => throw new OrbitConfigurationException(
                $"ORLEANS_CLUSTERING='{modeText}' is not a clustering mode. Use 'localhost' (embedded, the default) or 'postgres'."),
        };

        var dataDir = First(configuration, "DATA_DIR", "Orleans:DataDirectory");
        var databasePath = First(configuration, "DATABASE_PATH", "Orleans:DatabasePath");
        if (string.IsNullOrWhiteSpace(dataDir))
        {
            dataDir = databasePath is { Length: > 0 } && Path.GetDirectoryName(Path.GetFullPath(databasePath)) is { } dbFolder
                ? dbFolder
                : Path.Combine(Directory.GetCurrentDirectory(), "data");
        }

        dataDir = Path.GetFullPath(dataDir);
        var sqlitePath = Path.GetFullPath(string.IsNullOrWhiteSpace(databasePath)
            ? Path.Combine(dataDir, "orbitgrains.db")
            : databasePath);

        var settings = new OrbitClusterSettings
        {
            Mode = mode,
            DataDirectory = dataDir,
            SqlitePath = sqlitePath,
            PostgresConnectionString = First(configuration, "ConnectionStrings:Postgres", "POSTGRES_CONNECTION_STRING"),
            ClusterId = First(configuration, "ORLEANS_CLUSTER_ID", "Orleans:ClusterId") ?? DefaultClusterId,
            ServiceId = First(configuration, "ORLEANS_SERVICE_ID", "Orleans:ServiceId") ?? DefaultServiceId,
            SiloPort = Port(configuration, "ORLEANS_SILO_PORT", 11111),
            GatewayPort = Port(configuration, "ORLEANS_GATEWAY_PORT", 30000),
            AdvertisedAddress = Address(configuration),
            SiloName = First(configuration, "ORLEANS_SILO_NAME") ?? Environment.MachineName,
            ApplySchema = Flag(configuration, "ORLEANS_APPLY_SCHEMA", true),
            KubernetesHosting = Hosting(configuration),
            Dashboard = Flag(configuration, "ORLEANS_DASHBOARD", true),
            MinimumReminderPeriod = Period(configuration, "ORLEANS_MINIMUM_REMINDER_PERIOD", "Orleans:MinimumReminderPeriod"),
            RelayHistory = Relay.ThreadHistoryOptions.Load(configuration),
        };
        settings.Validate();
        return settings.KubernetesHosting ? InPod(settings, configuration) : settings;
    }

    private void Validate()
    {
        if (Mode != ClusteringMode.Postgres)
        {
            if (KubernetesHosting)
            {
                throw new OrbitConfigurationException(
                    "ORLEANS_HOSTING=kubernetes needs ORLEANS_CLUSTERING=postgres: pods of one cluster share membership through PostgreSQL.");
            }

            return;
        }

        if (string.IsNullOrWhiteSpace(PostgresConnectionString))
        {
            throw new OrbitConfigurationException(
                "ORLEANS_CLUSTERING=postgres needs a connection string: set ConnectionStrings__Postgres " +
                "(for example 'Host=127.0.0.1;Port=5432;Database=orbitgrains;Username=orbit;Password=...').");
        }

        try
        {
            _ = new NpgsqlConnectionStringBuilder(PostgresConnectionString);
        }
        catch (ArgumentException ex)
        {
            throw new OrbitConfigurationException($"ConnectionStrings__Postgres is not a valid PostgreSQL connection string: {ex.Message}");
        }
    }

    /// <summary>The PostgreSQL host and port, for messages; never the password.</summary>
    public string DescribePostgres()
    {
        var builder = new NpgsqlConnectionStringBuilder(PostgresConnectionString);
        return $"{builder.Host}:{builder.Port}/{builder.Database}";
    }

    private static string? First(IConfiguration configuration, params string[] keys)
    {
        foreach (var key in keys)
        {
            var value = configuration[key];
            if (!string.IsNullOrWhiteSpace(value))
            {
                return value.Trim();
            }
        }

        return null;
    }

    private static int Port(IConfiguration configuration, string key, int fallback)
    {
        var text = First(configuration, key);
        if (text is null)
        {
            return fallback;
        }

        return int.TryParse(text, out var port) && port is > 0 and < 65536
            ? port
            : throw new OrbitConfigurationException($"{key}='{text}' is not a TCP port (1-65535).");
    }

    private static TimeSpan? Period(IConfiguration configuration, params string[] keys)
    {
        var text = First(configuration, keys);
        if (text is null)
        {
            return null;
        }

        return TimeSpan.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var period) && period > TimeSpan.Zero
            ? period
            : throw new OrbitConfigurationException($"{keys[0]}='{text}' is not a positive time span (for example 00:00:02).");
    }

    private static IPAddress Address(IConfiguration configuration)
    {
        var text = First(configuration, "ORLEANS_ADVERTISED_IP");
        if (text is null)
        {
            return IPAddress.Loopback;
        }

        if (IPAddress.TryParse(text, out var address))
        {
            return address;
        }

        // A host name (a compose service, a pod's own name) stands for this node's address as the network resolves it,
        // since a container's IP is not known before it starts.
        try
        {
            var addresses = Dns.GetHostAddresses(text);
            return addresses.FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
                ?? addresses.FirstOrDefault()
                ?? throw new OrbitConfigurationException($"ORLEANS_ADVERTISED_IP='{text}' resolves to no address.");
        }
        catch (Exception ex) when (ex is System.Net.Sockets.SocketException or ArgumentException)
        {
            throw new OrbitConfigurationException($"ORLEANS_ADVERTISED_IP='{text}' is neither an IP address nor a host name that resolves ({ex.Message}).");
        }
    }

    /// <summary>The pod's identity from the downward API: its IP is the address other silos reach it on.</summary>
    private static OrbitClusterSettings InPod(OrbitClusterSettings settings, IConfiguration configuration)
    {
        var missing = new[] { "POD_NAME", "POD_NAMESPACE", "POD_IP" }.Where(key => First(configuration, key) is null).ToList();
        if (missing.Count > 0)
        {
            throw new OrbitConfigurationException(
                $"ORLEANS_HOSTING=kubernetes needs {string.Join(", ", missing)} from the downward API (metadata.name, metadata.namespace, status.podIP).");
        }

        return IPAddress.TryParse(First(configuration, "POD_IP"), out var podIp)
            ? settings with { AdvertisedAddress = podIp, SiloName = First(configuration, "POD_NAME")! }
            : throw new OrbitConfigurationException($"POD_IP='{First(configuration, "POD_IP")}' is not an IP address.");
    }

    private static bool Hosting(IConfiguration configuration)
    {
        var text = First(configuration, "ORLEANS_HOSTING");
        switch (text?.ToLowerInvariant())
        {
            case null or "process":
                return false;
            case "kubernetes":
                return true;
            default:
                throw new OrbitConfigurationException($"ORLEANS_HOSTING='{text}' is not a hosting mode. Use 'process' (the default) or 'kubernetes'.");
        }
    }

    private static bool Flag(IConfiguration configuration, string key, bool fallback)
    {
        var text = First(configuration, key);
        return text is null ? fallback : text.ToLowerInvariant() switch
        {
            "1" or "true" or "yes" or "on" => true,
            "0" or "false" or "no" or "off" => false,
            _ => throw new OrbitConfigurationException($"{key}='{text}' is not a boolean (true/false)."),
        };
    }
}
