using Orleans.Storage;

namespace OrbitGrains.Tests.Infrastructure;

/// <summary>Orleans' own ADO.NET grain storage of a running host, started by hand, with no product layer in front.</summary>
public static class RawGrainStorage
{
    public static async Task<AdoNetGrainStorage> StartAsync(RunningHost host, string name)
    {
        var storage = AdoNetGrainStorageFactory.Create(host.Services, name);
        var lifecycle = new StartOnlyLifecycle();
        storage.Participate(lifecycle);
        foreach (var observer in lifecycle.Observers)
        {
            await observer.OnStart(CancellationToken.None);
        }

        return storage;
    }

    private sealed class StartOnlyLifecycle : ISiloLifecycle
    {
        public List<ILifecycleObserver> Observers { get; } = [];

        public int HighestCompletedStage => ServiceLifecycleStage.Active;

        public int LowestStoppedStage => ServiceLifecycleStage.Active;

        public IDisposable Subscribe(string observerName, int stage, ILifecycleObserver observer)
        {
            Observers.Add(observer);
            return new CancellationTokenSource();
        }
    }
}
