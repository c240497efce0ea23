using System.Data.Common;
using System.Reflection;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace OrbitGrains.Hosting;

/// <summary>
/// Applies the schema scripts of deploy/sql (embedded in this assembly) before a silo starts, because the
/// Orleans ADO.NET providers read their stored queries during start-up and never create tables themselves.
/// </summary>
public static class SchemaInstaller
{
    // Any constant works; it only has to be the same for every silo so that concurrent starts apply the script once at a time.
    private const long PostgresLockKey = 0x4F72626974475253;

    public static async Task PrepareAsync(OrbitClusterSettings settings, CancellationToken cancellationToken = default)
    {
        switch (settings.Mode)
        {
            case ClusteringMode.Localhost:
                await PrepareSqliteAsync(settings, cancellationToken);
                break;
            case ClusteringMode.Postgres:
                await PreparePostgresAsync(settings, cancellationToken);
                break;
        }
    }

    /// <summary>Script texts in the order they apply, for a dialect ("postgresql" or "sqlite").</summary>
    public static IReadOnlyList<string> Scripts(string dialect)
    {
        var assembly = typeof(SchemaInstaller).Assembly;
        var prefix = $"OrbitGrains.Sql.{dialect}.";
        return assembly.GetManifestResourceNames()
            .Where(name => name.StartsWith(prefix, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(name => ReadResource(assembly, name))
            .ToList();
    }

    public static string SqliteConnectionString(string path) => new SqliteConnectionStringBuilder
    {
        DataSource = path,
        Mode = SqliteOpenMode.ReadWriteCreate,
        Cache = SqliteCacheMode.Private,
        Pooling = true,
        // Microsoft.Data.Sqlite retries SQLITE_BUSY until this many seconds pass: our busy timeout.
        DefaultTimeout = 30,
    }.ToString();

    private static async Task PrepareSqliteAsync(OrbitClusterSettings settings, CancellationToken cancellationToken)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(settings.SqlitePath)!);
            RestrictToOwner(settings.SqlitePath);
            await using var connection = new SqliteConnection(SqliteConnectionString(settings.SqlitePath));
            await connection.OpenAsync(cancellationToken);
            // WAL is a property of the file: set once, it holds for every later connection.
            await ExecuteAsync(connection, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", cancellationToken);
            foreach (var script in Scripts("sqlite"))
            {
                await ExecuteAsync(connection, script, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException)
        {
            throw new OrbitConfigurationException(
                $"Cannot open the embedded database at {settings.SqlitePath}: {ex.Message} " +
                "Set DATA_DIR (or DATABASE_PATH) to a writable location.", ex);
        }
    }

    /// <summary>
    /// The database holds every account and token hash: like secrets.json it is readable by its owner only. Created
    /// empty with mode 0600 before SQLite opens it, SQLite gives its -wal and -shm files the same mode; files left by
    /// an older start are tightened too.
    /// </summary>
    private static void RestrictToOwner(string databasePath)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        const UnixFileMode ownerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        if (!File.Exists(databasePath))
        {
            using var created = new FileStream(databasePath, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = ownerOnly,
            });
        }

        foreach (var path in new[] { databasePath, databasePath + "-wal", databasePath + "-shm" }.Where(File.Exists))
        {
            File.SetUnixFileMode(path, ownerOnly);
        }
    }

    /// <summary>How long a starting node keeps trying to reach PostgreSQL while its attempts time out.</summary>
    private static readonly TimeSpan PostgresStartupWait = TimeSpan.FromSeconds(30);

    /// <summary>
    /// No answer within one attempt's timeout: a server that is up but slow (a busy machine, one starting beside the
    /// node) may answer the next one. A refused connection or a refusal by the server (wrong password, no such
    /// database) will not pass by itself, and fails at once with the message operators act on.
    /// </summary>
    private static bool Unreachable(Exception ex) =>
        ex is TimeoutException || (ex is NpgsqlException { InnerException: TimeoutException } and not PostgresException);

    private static async Task PreparePostgresAsync(OrbitClusterSettings settings, CancellationToken cancellationToken)
    {
        var builder = new NpgsqlConnectionStringBuilder(settings.PostgresConnectionString);
        if (builder.Timeout == 15)
        {
            // The default 15 s would leave an operator staring at a silent terminal; fail fast with a message instead.
            builder.Timeout = 5;
        }

        NpgsqlConnection connection;
        var deadline = DateTimeOffset.UtcNow + PostgresStartupWait;
        while (true)
        {
            var attempt = new NpgsqlConnection(builder.ConnectionString);
            try
            {
                await attempt.OpenAsync(cancellationToken);
                connection = attempt;
                break;
            }
            catch (Exception ex) when (Unreachable(ex) && DateTimeOffset.UtcNow < deadline)
            {
                await attempt.DisposeAsync();
                // Each attempt is kept short so a wrong address is reported quickly; a slow server gets more of them.
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or ArgumentException or InvalidOperationException)
            {
                await attempt.DisposeAsync();
                throw new OrbitConfigurationException(
                    $"Cannot reach PostgreSQL at {settings.DescribePostgres()}: {Innermost(ex).Message} " +
                    "Check ConnectionStrings__Postgres and that the server is running.", ex);
            }
        }

        await using (connection)
        {
            if (!settings.ApplySchema)
            {
                await RequireSchemaAsync(connection, settings, cancellationToken);
                return;
            }

            try
            {
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@key)", connection, transaction))
                {
                    lockCommand.Parameters.AddWithValue("key", PostgresLockKey);
                    await lockCommand.ExecuteNonQueryAsync(cancellationToken);
                }

                foreach (var script in Scripts("postgresql"))
                {
                    await using var command = new NpgsqlCommand(script, connection, transaction);
                    await command.ExecuteNonQueryAsync(cancellationToken);
                }

                await transaction.CommitAsync(cancellationToken);
            }
            catch (PostgresException ex)
            {
                throw new OrbitConfigurationException(
                    $"Could not apply the schema to PostgreSQL at {settings.DescribePostgres()}: {ex.MessageText}. " +
                    "Apply deploy/sql/postgresql by hand and start with ORLEANS_APPLY_SCHEMA=false if this role may not run DDL.", ex);
            }
        }
    }

    private static async Task RequireSchemaAsync(NpgsqlConnection connection, OrbitClusterSettings settings, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT count(*) FROM information_schema.tables WHERE table_name = 'orleansquery'", connection);
        var count = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken));
        if (count == 0)
        {
            throw new OrbitConfigurationException(
                $"ORLEANS_APPLY_SCHEMA=false but PostgreSQL at {settings.DescribePostgres()} has no Orleans schema. " +
                "Apply deploy/sql/postgresql/*.sql first (see README, 'Cluster mode').");
        }
    }

    private static async Task ExecuteAsync(DbConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static string ReadResource(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
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
