namespace OrbitGrains.Tests.Infrastructure;

/// <summary>
/// Storage faults injected into a real PostgreSQL database: a trigger on Orleans' state table makes the next
/// <c>n</c> writes of one kind of state (matched on the provider's type column, e.g. <c>audit:%</c>) fail with an
/// error, as a lost connection or a full disk would, and then lets writes through again. The countdown uses a
/// sequence because sequences do not roll back with the failed statement.
/// </summary>
public sealed class PostgresWriteFaults
{
    private readonly string _connectionString;

    private PostgresWriteFaults(string connectionString) => _connectionString = connectionString;

    /// <summary>Installs the trigger (the product must have created its schema first); no write fails until <see cref="FailNextAsync"/>.</summary>
    public static async Task<PostgresWriteFaults> InstallAsync(string connectionString, string typePattern)
    {
        var faults = new PostgresWriteFaults(connectionString);
        await PostgresSql.ExecuteAsync(connectionString, $"""
            CREATE SEQUENCE orbit_test_fault_calls;
            CREATE TABLE orbit_test_fault_budget (failures bigint NOT NULL, failed bigint NOT NULL);
            INSERT INTO orbit_test_fault_budget VALUES (0, 0);
            CREATE FUNCTION orbit_test_fault() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF nextval('orbit_test_fault_calls') <= (SELECT failures FROM orbit_test_fault_budget) THEN
                RAISE EXCEPTION 'injected storage fault';
              END IF;
              RETURN NEW;
            END $$;
            CREATE TRIGGER orbit_test_fault BEFORE INSERT OR UPDATE ON orleansstorage
              FOR EACH ROW WHEN (NEW.graintypestring LIKE '{typePattern.Replace("'", "''")}') EXECUTE FUNCTION orbit_test_fault();
            """);
        return faults;
    }

    /// <summary>The next <paramref name="count"/> matching writes fail; the ones after succeed.</summary>
    public Task FailNextAsync(int count) =>
        PostgresSql.ExecuteAsync(_connectionString, $"SELECT setval('orbit_test_fault_calls', 1, false); UPDATE orbit_test_fault_budget SET failures = {count};");

    /// <summary>How many matching writes were attempted since the last <see cref="FailNextAsync"/>.</summary>
    public Task<long> AttemptsAsync() => PostgresSql.ScalarAsync<long>(_connectionString,
        "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM orbit_test_fault_calls");
}
