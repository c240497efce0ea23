namespace OrbitGrains.Tests.Foundation;

file static class PostgresSilo
{
    public static async Task<RunningHost> StartAsync(PostgresServer server, TempDirectory data)
    {
        var configuration = RunningHost.IsolatedConfiguration(data.Path, $"pg-{Guid.NewGuid():N}");
        configuration["ORLEANS_CLUSTERING"] = "postgres";
        configuration["ConnectionStrings:Postgres"] = await server.CreateDatabaseAsync("providers");
        return await RunningHost.StartHeadlessAsync(configuration);
    }
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresStorageProviderTests(PostgresServer server) : StorageProviderContract, IDisposable
{
    private readonly TempDirectory _data = new();

    protected override Task<RunningHost> StartSiloAsync() => PostgresSilo.StartAsync(server, _data);

    public void Dispose() => _data.Dispose();
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresReminderTableTests(PostgresServer server) : ReminderTableContract, IDisposable
{
    private readonly TempDirectory _data = new();

    protected override Task<RunningHost> StartSiloAsync() => PostgresSilo.StartAsync(server, _data);

    public void Dispose() => _data.Dispose();
}
