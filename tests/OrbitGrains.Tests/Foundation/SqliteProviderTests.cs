namespace OrbitGrains.Tests.Foundation;

file static class EmbeddedSilo
{
    public static Task<RunningHost> StartAsync(TempDirectory data) =>
        RunningHost.StartHeadlessAsync(RunningHost.IsolatedConfiguration(data.Path, $"sqlite-{Guid.NewGuid():N}"));
}

public sealed class SqliteStorageProviderTests : StorageProviderContract, IDisposable
{
    private readonly TempDirectory _data = new();

    protected override Task<RunningHost> StartSiloAsync() => EmbeddedSilo.StartAsync(_data);

    public void Dispose() => _data.Dispose();
}

public sealed class SqliteReminderTableTests : ReminderTableContract, IDisposable
{
    private readonly TempDirectory _data = new();

    protected override Task<RunningHost> StartSiloAsync() => EmbeddedSilo.StartAsync(_data);

    public void Dispose() => _data.Dispose();
}
