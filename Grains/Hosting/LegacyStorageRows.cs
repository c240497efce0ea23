using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;
using Orleans.Configuration;
using Microsoft.Extensions.Options;

namespace OrbitGrains.Hosting;

/// <summary>
/// Whether this service's grain storage still holds rows of the layout earlier versions wrote (before
/// <see cref="StorageKeys"/>): rows whose type column is a bare state name, without the <c>:type</c> that every row
/// written now carries. Asked once per process, on the first grain read that finds no row.
/// </summary>
public sealed class LegacyStorageRows(OrbitClusterSettings settings, IOptions<ClusterOptions> cluster)
{
    /// <summary>The condition that picks out old-layout rows; docs/storage.md gives operators the same one.</summary>
    public const string Condition = "GrainTypeString NOT LIKE '%:%'";

    private Task<bool>? _present;

    /// <summary>The answer of the first successful query; a failed query is asked again next time.</summary>
    public Task<bool> PresentAsync()
    {
        var present = Volatile.Read(ref _present);
        if (present is null || present.IsFaulted)
        {
            present = QueryAsync(settings, cluster.Value.ServiceId);
            Volatile.Write(ref _present, present);
        }

        return present;
    }

    private static async Task<bool> QueryAsync(OrbitClusterSettings settings, string serviceId)
    {
        await using DbConnection connection = settings.Mode == ClusteringMode.Postgres
            ? new NpgsqlConnection(settings.PostgresConnectionString)
            : new SqliteConnection(SchemaInstaller.SqliteConnectionString(settings.SqlitePath));
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT 1 FROM OrleansStorage WHERE ServiceId = @ServiceId AND {Condition} LIMIT 1";
        var parameter = command.CreateParameter();
        parameter.ParameterName = "ServiceId";
        parameter.Value = serviceId;
        command.Parameters.Add(parameter);
        return await command.ExecuteScalarAsync() is not null;
    }
}
