using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using OrbitGrains.Telemetry;

namespace OrbitGrains.Hosting;

/// <summary>
/// Embedded mode only: the one writer of grain state to the SQLite file of this process. Every write and clear, from
/// any grain and any storage name, joins a queue; one loop takes everything queued (at most <see cref="MaxGroup"/>)
/// into one transaction, commits it once with <c>synchronous=FULL</c> (so a commit survives a power loss, not only a
/// crash of the process), and only then answers each caller. What arrives while a transaction commits forms the next
/// group. One fsync thus covers many writes, where one transaction per write paid one each (docs/storage.md, "Group
/// commit").
/// </summary>
/// <remarks>
/// Each operation keeps the version (ETag) check of the Orleans ADO.NET provider's own queries (deploy/sql/sqlite) and
/// runs inside a savepoint of its own: an operation whose version does not match, or whose statement fails, answers
/// only its caller and leaves the rest of its group to commit. A group that cannot commit (an I/O error, a full disk)
/// fails every caller of that group; none of its changes is stored.
/// </remarks>
public sealed partial class SqliteGroupCommit : IAsyncDisposable, IDisposable
{
    /// <summary>Most operations in one transaction: bounds the time a group holds the file's write lock.</summary>
    public const int MaxGroup = 512;

    private const string Now = "strftime('%Y-%m-%d %H:%M:%f', 'now')";

    private const string RowCondition =
        "GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1 " +
        "AND ServiceId = @ServiceId AND GrainTypeString = @GrainTypeString " +
        "AND coalesce(GrainIdExtensionString, '') = coalesce(@GrainIdExtensionString, '')";

    // The four statements of the provider's WriteToStorageKey, ClearStorageKey and DeleteStorageKey, one per case, each
    // answering the row's new version, or no row when the version check fails.
    private const string UpdateSql =
        $"UPDATE OrleansStorage SET PayloadBinary = @PayloadBinary, ModifiedOn = {Now}, Version = Version + 1 " +
        $"WHERE Version = @GrainStateVersion AND {RowCondition} RETURNING Version";

    private const string InsertSql =
        "INSERT INTO OrleansStorage (GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString, GrainIdExtensionString, " +
        "ServiceId, PayloadBinary, ModifiedOn, Version) VALUES (@GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, " +
        $"@GrainTypeString, @GrainIdExtensionString, @ServiceId, @PayloadBinary, {Now}, 1) ON CONFLICT DO NOTHING RETURNING Version";

    private const string ClearSql =
        $"UPDATE OrleansStorage SET PayloadBinary = NULL, ModifiedOn = {Now}, Version = Version + 1 " +
        $"WHERE Version = @GrainStateVersion AND {RowCondition} RETURNING Version";

    // Version + 1, as the provider's query answers: a deleted row's caller learns that its version was current.
    private const string DeleteSql = $"DELETE FROM OrleansStorage WHERE Version = @GrainStateVersion AND {RowCondition} RETURNING Version + 1";

    private readonly Channel<Operation> _queue = Channel.CreateUnbounded<Operation>(new UnboundedChannelOptions { SingleReader = true });
    private readonly string _connectionString;
    private readonly OrbitMeter _meter;
    private readonly ILogger<SqliteGroupCommit> _logger;
    private readonly Task _loop;
    private Statements? _statements;

    /// <param name="connectionString">The embedded database (<see cref="SchemaInstaller.SqliteConnectionString"/>); the writer keeps one connection of its own open.</param>
    public SqliteGroupCommit(string connectionString, OrbitMeter meter, ILogger<SqliteGroupCommit> logger)
    {
        // Its own connection outside the pool: synchronous=FULL stays with the writer and never reaches the provider's
        // pooled connections.
        _connectionString = new SqliteConnectionStringBuilder(connectionString) { Pooling = false }.ToString();
        _meter = meter;
        _logger = logger;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>
    /// Fault injection for tests: runs in the writer before each COMMIT with the group's size. An exception thrown
    /// here fails the group exactly as a failed COMMIT does. Null in the product.
    /// </summary>
    public Func<int, ValueTask>? BeforeCommit { get; set; }

    /// <summary>
    /// Stores <paramref name="payload"/> in the row: updates it when <paramref name="version"/> is its current version,
    /// inserts it when <paramref name="version"/> is null and there is no row. Completes once the group holding it is
    /// durable.
    /// </summary>
    /// <returns>The row's new version; null when the version check failed (nothing was stored).</returns>
    /// <exception cref="SqliteException">The statement or its group's commit failed; nothing was stored.</exception>
    public Task<int?> WriteAsync(StorageRowKey key, int? version, byte[] payload) =>
        Enqueue(new Operation(version is null ? Change.Insert : Change.Update, key, version, payload));

    /// <summary>
    /// Clears the row at <paramref name="version"/>: deletes it (<paramref name="delete"/>) or keeps it with no payload
    /// and the next version. Completes once the group holding it is durable.
    /// </summary>
    /// <returns>The row's new version (for a delete, the deleted version + 1); null when the version check failed.</returns>
    /// <exception cref="SqliteException">The statement or its group's commit failed; nothing was changed.</exception>
    public Task<int?> ClearAsync(StorageRowKey key, int version, bool delete) =>
        Enqueue(new Operation(delete ? Change.Delete : Change.Clear, key, version, null));

    /// <summary>Lets the queued operations commit, then closes the writer's connection. Later operations fail.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop;
        _statements?.Dispose();
        _statements = null;
    }

    /// <summary>For a container disposed synchronously: the same as <see cref="DisposeAsync"/>, waited for.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private Task<int?> Enqueue(Operation operation) =>
        _queue.Writer.TryWrite(operation)
            ? operation.Done.Task
            : Task.FromException<int?>(new ObjectDisposedException(nameof(SqliteGroupCommit), "The embedded store's writer has shut down."));

    private async Task RunAsync()
    {
        var group = new List<Operation>(MaxGroup);
        while (await _queue.Reader.WaitToReadAsync())
        {
            while (group.Count < MaxGroup && _queue.Reader.TryRead(out var operation))
            {
                group.Add(operation);
            }

            await CommitAsync(group);
            group.Clear();
        }
    }

    /// <summary>One transaction for the group; answers every caller, never throws.</summary>
    private async Task CommitAsync(List<Operation> group)
    {
        _meter.Storage.GroupCommitted(group.Count);
        var outcomes = new Outcome[group.Count];
        try
        {
            var statements = _statements ??= await Statements.OpenAsync(_connectionString);
            using (var transaction = statements.Connection.BeginTransaction(deferred: false))
            {
                statements.Enlist(transaction);
                for (var i = 0; i < group.Count; i++)
                {
                    outcomes[i] = Apply(statements, transaction, group[i]);
                }

                if (BeforeCommit is { } beforeCommit)
                {
                    await beforeCommit(group.Count);
                }

                transaction.Commit();
            }
        }
        catch (Exception ex)
        {
            LogGroupFailed(ex, group.Count);
            // The connection may be left mid-transaction or broken: the next group opens a fresh one.
            _statements?.Dispose();
            _statements = null;
            foreach (var operation in group)
            {
                operation.Done.TrySetException(ex);
            }

            return;
        }

        for (var i = 0; i < group.Count; i++)
        {
            if (outcomes[i].Error is { } error)
            {
                group[i].Done.TrySetException(error);
            }
            else
            {
                group[i].Done.TrySetResult(outcomes[i].Version);
            }
        }
    }

    /// <summary>
    /// One operation in a savepoint. Its statement's failure is its own (the savepoint is rolled back, the group goes
    /// on); a failure to roll the savepoint back is the group's.
    /// </summary>
    private static Outcome Apply(Statements statements, SqliteTransaction transaction, Operation operation)
    {
        const string Savepoint = "op";
        transaction.Save(Savepoint);
        try
        {
            var version = statements.Run(operation);
            transaction.Release(Savepoint);
            return new Outcome(version, null);
        }
        catch (SqliteException ex)
        {
            transaction.Rollback(Savepoint);
            transaction.Release(Savepoint);
            return new Outcome(null, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A group of {Count} grain-state writes could not be committed; every one of them failed")]
    private partial void LogGroupFailed(Exception exception, int count);

    private enum Change
    {
        Insert,
        Update,
        Clear,
        Delete,
    }

    private sealed record Operation(Change Change, StorageRowKey Key, int? Version, byte[]? Payload)
    {
        public TaskCompletionSource<int?> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private readonly record struct Outcome(int? Version, Exception? Error);

    /// <summary>The writer's connection and its four prepared statements, reused by every group.</summary>
    private sealed class Statements : IDisposable
    {
        private readonly SqliteCommand _insert;
        private readonly SqliteCommand _update;
        private readonly SqliteCommand _clear;
        private readonly SqliteCommand _delete;

        private Statements(SqliteConnection connection)
        {
            Connection = connection;
            _insert = Command(InsertSql, payload: true, version: false);
            _update = Command(UpdateSql, payload: true, version: true);
            _clear = Command(ClearSql, payload: false, version: true);
            _delete = Command(DeleteSql, payload: false, version: true);
        }

        public SqliteConnection Connection { get; }

        public static async Task<Statements> OpenAsync(string connectionString)
        {
            var connection = new SqliteConnection(connectionString);
            try
            {
                await connection.OpenAsync();
                await using (var pragma = connection.CreateCommand())
                {
                    // Durable at commit: the WAL is synced before each COMMIT returns.
                    pragma.CommandText = "PRAGMA synchronous=FULL;";
                    await pragma.ExecuteNonQueryAsync();
                }

                return new Statements(connection);
            }
            catch
            {
                await connection.DisposeAsync();
                throw;
            }
        }

        public void Enlist(SqliteTransaction transaction)
        {
            _insert.Transaction = transaction;
            _update.Transaction = transaction;
            _clear.Transaction = transaction;
            _delete.Transaction = transaction;
        }

        /// <summary>Runs the operation's statement; the row's new version, or null when no row matched.</summary>
        public int? Run(Operation operation)
        {
            var command = operation.Change switch
            {
                Change.Insert => _insert,
                Change.Update => _update,
                Change.Clear => _clear,
                _ => _delete,
            };
            var key = operation.Key;
            command.Parameters["@GrainIdHash"].Value = key.GrainIdHash;
            command.Parameters["@GrainIdN0"].Value = key.GrainIdN0;
            command.Parameters["@GrainIdN1"].Value = key.GrainIdN1;
            command.Parameters["@GrainTypeHash"].Value = key.GrainTypeHash;
            command.Parameters["@GrainTypeString"].Value = key.GrainTypeString;
            command.Parameters["@GrainIdExtensionString"].Value = (object?)key.GrainIdExtensionString ?? DBNull.Value;
            command.Parameters["@ServiceId"].Value = key.ServiceId;
            if (operation.Payload is { } payload)
            {
                command.Parameters["@PayloadBinary"].Value = payload;
            }

            if (operation.Version is { } version)
            {
                command.Parameters["@GrainStateVersion"].Value = version;
            }

            var result = command.ExecuteScalar();
            return result is null or DBNull ? null : Convert.ToInt32(result, System.Globalization.CultureInfo.InvariantCulture);
        }

        public void Dispose()
        {
            _insert.Dispose();
            _update.Dispose();
            _clear.Dispose();
            _delete.Dispose();
            Connection.Dispose();
        }

        private SqliteCommand Command(string sql, bool payload, bool version)
        {
            var command = Connection.CreateCommand();
            command.CommandText = sql;
            foreach (var name in new[] { "@GrainIdHash", "@GrainIdN0", "@GrainIdN1", "@GrainTypeHash", "@GrainTypeString", "@GrainIdExtensionString", "@ServiceId" })
            {
                command.Parameters.Add(new SqliteParameter(name, DBNull.Value));
            }

            if (payload)
            {
                command.Parameters.Add(new SqliteParameter("@PayloadBinary", SqliteType.Blob));
            }

            if (version)
            {
                command.Parameters.Add(new SqliteParameter("@GrainStateVersion", SqliteType.Integer));
            }

            return command;
        }
    }
}
