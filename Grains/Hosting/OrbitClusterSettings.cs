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

    /// <summary>When false, the PostgreSQL schema must have been applied by an operator beforehand.</summary>
    public bool ApplySchema { get; init; } = true;

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
            MinimumReminderPeriod = Period(configuration, "ORLEANS_MINIMUM_REMINDER_PERIOD", "Orleans:MinimumReminderPeriod"),
        };
        settings.Validate();
        return settings;
    }

    private void Validate()
    {
        if (Mode != ClusteringMode.Postgres)
        {
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

        return IPAddress.TryParse(text, out var address)
            ? address
            : throw new OrbitConfigurationException($"ORLEANS_ADVERTISED_IP='{text}' is not an IP address.");
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
