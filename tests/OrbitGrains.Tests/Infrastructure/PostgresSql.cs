using Npgsql;

namespace OrbitGrains.Tests.Infrastructure;

/// <summary>
/// The tests' own SQL against a PostgreSQL database (fault triggers, holds, probes of stored rows): one statement
/// batch per call, on a connection of its own or on one the caller keeps open (a held advisory lock lives on it).
/// </summary>
public static class PostgresSql
{
    /// <summary>Runs <paramref name="sql"/> (one or more statements) on a new connection to <paramref name="connectionString"/>.</summary>
    public static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await ExecuteAsync(connection, sql);
    }

    /// <summary>Runs <paramref name="sql"/> on an open <paramref name="connection"/>, which the caller keeps.</summary>
    public static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>The first column of the first row of a query with named parameters (<c>@name</c>) on a new connection.</summary>
    public static async Task<T> ScalarAsync<T>(string connectionString, string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return (T)(await command.ExecuteScalarAsync())!;
    }
}
