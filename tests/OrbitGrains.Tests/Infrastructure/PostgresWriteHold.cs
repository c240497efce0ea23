using Npgsql;

namespace OrbitGrains.Tests.Infrastructure;

/// <summary>
/// Holds one kind of state write in a real PostgreSQL database until the test lets go: a trigger on Orleans' state
/// table makes every matching write wait for an advisory lock this object holds on its own connection. What else the
/// product writes meanwhile shows which writes wait for which (<see cref="VersionsAsync"/>).
/// </summary>
public sealed class PostgresWriteHold : IAsyncDisposable
{
    private const long LockKey = 4_242_001;
    private readonly NpgsqlConnection _holder;
    private readonly string _connectionString;
    private bool _released;

    private PostgresWriteHold(NpgsqlConnection holder, string connectionString) => (_holder, _connectionString) = (holder, connectionString);

    /// <summary>From now on, writes whose type column matches <paramref name="typePattern"/> (e.g. <c>workspace:%</c>) wait.</summary>
    public static async Task<PostgresWriteHold> HoldAsync(string connectionString, string typePattern)
    {
        var holder = new NpgsqlConnection(connectionString);
        await holder.OpenAsync();
        await PostgresSql.ExecuteAsync(holder, $"SELECT pg_advisory_lock({LockKey})");
        await PostgresSql.ExecuteAsync(holder, $"""
            CREATE FUNCTION orbit_test_hold() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              PERFORM pg_advisory_lock_shared({LockKey});
              PERFORM pg_advisory_unlock_shared({LockKey});
              RETURN NEW;
            END $$;
            CREATE TRIGGER orbit_test_hold BEFORE INSERT OR UPDATE ON orleansstorage
              FOR EACH ROW WHEN (NEW.graintypestring LIKE '{typePattern.Replace("'", "''")}') EXECUTE FUNCTION orbit_test_hold();
            """);
        return new PostgresWriteHold(holder, connectionString);
    }

    /// <summary>The sum of the stored versions of the rows whose type matches: it grows with every write that landed.</summary>
    public Task<long> VersionsAsync(string typePattern) => PostgresSql.ScalarAsync<long>(_connectionString,
        "SELECT COALESCE(SUM(version), 0)::bigint FROM orleansstorage WHERE graintypestring LIKE @pattern", ("pattern", typePattern));

    /// <summary>Lets the held writes (and every later one) through.</summary>
    public async Task ReleaseAsync()
    {
        if (!_released)
        {
            _released = true;
            await PostgresSql.ExecuteAsync(_holder, $"SELECT pg_advisory_unlock({LockKey})");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await ReleaseAsync();
        await _holder.DisposeAsync();
    }
}
