using System.Diagnostics;
using Npgsql;

namespace OrbitGrains.Tests.Infrastructure;

/// <summary>
/// A private PostgreSQL server from the Debian packages (initdb + pg_ctl), on a free loopback port in a
/// temporary folder, for the life of a test collection. ORBIT_TEST_POSTGRES points at an existing server instead.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private const string SuperUser = "orbit";
    private string? _dataDir;
    private string? _binDir;
    private bool _asPostgresUser;
    private int _databases;

    public string AdminConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        if (Environment.GetEnvironmentVariable("ORBIT_TEST_POSTGRES") is { Length: > 0 } external)
        {
            AdminConnectionString = external;
            return;
        }

        _binDir = FindBinaries();
        _asPostgresUser = Environment.UserName == "root";
        _dataDir = Path.Combine(Path.GetTempPath(), $"orbit-pg-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_dataDir);
        if (_asPostgresUser)
        {
            // initdb refuses to run as root; the Debian package made a postgres user for exactly this.
            await RunAsync("chown", $"postgres {_dataDir}");
        }

        var port = FreePorts.Next();
        var pgdata = Path.Combine(_dataDir, "pgdata");
        await RunPgAsync("initdb", $"-D {pgdata} -U {SuperUser} --auth=trust --encoding=UTF8 --no-sync");
        await RunPgAsync("pg_ctl",
            $"-D {pgdata} -l {Path.Combine(_dataDir, "server.log")} -w -t 60 " +
            $"-o \"-p {port} -k {_dataDir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300\" start");
        AdminConnectionString = $"Host=127.0.0.1;Port={port};Username={SuperUser};Database=postgres;Pooling=false";
    }

    /// <summary>A fresh empty database on the server, so test classes never see each other's rows.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix)
    {
        var name = $"{prefix}_{Interlocked.Increment(ref _databases)}_{Guid.NewGuid():N}"[..40].ToLowerInvariant();
        await PostgresSql.ExecuteAsync(AdminConnectionString, $"CREATE DATABASE \"{name}\"");
        // A test's hosts stop within seconds, but Npgsql keeps their idle pooled connections for 300 s by default:
        // over a suite those add up past the server's max_connections (CI saw "53300: too many clients already").
        return new NpgsqlConnectionStringBuilder(AdminConnectionString)
        {
            Database = name,
            Pooling = true,
            ConnectionIdleLifetime = 5,
            ConnectionPruningInterval = 1,
        }.ConnectionString;
    }

    public async Task DisposeAsync()
    {
        if (_dataDir is null)
        {
            return;
        }

        try
        {
            await RunPgAsync("pg_ctl", $"-D {Path.Combine(_dataDir, "pgdata")} -m immediate -w stop");
        }
        finally
        {
            try
            {
                Directory.Delete(_dataDir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static string FindBinaries()
    {
        const string root = "/usr/lib/postgresql";
        var candidates = Directory.Exists(root)
            ? Directory.GetDirectories(root).Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0).ToList()
            : [];
        return candidates.FirstOrDefault()
            ?? throw new InvalidOperationException(
                "PostgreSQL server binaries not found under /usr/lib/postgresql. Install them (apt-get install postgresql) " +
                "or set ORBIT_TEST_POSTGRES to a connection string; .ci/run does the former.");
    }

    private Task RunPgAsync(string tool, string arguments)
    {
        var executable = Path.Combine(_binDir!, tool);
        return _asPostgresUser
            ? RunAsync("runuser", $"-u postgres -- {executable} {arguments}")
            : RunAsync(executable, arguments);
    }

    private static async Task RunAsync(string fileName, string arguments)
    {
        var info = new ProcessStartInfo(fileName, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} {arguments} exited {process.ExitCode}: {await stderr}{await stdout}");
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "PostgreSQL";
}
