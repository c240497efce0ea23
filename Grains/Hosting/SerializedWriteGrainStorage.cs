using Orleans.Storage;

namespace OrbitGrains.Hosting;

/// <summary>
/// Embedded mode only. SQLite admits one writer at a time, and Microsoft.Data.Sqlite answers a writer that finds
/// the file locked by sleeping 150 ms before retrying; with many grains persisting at the same instant those
/// sleeps pile up (docs/benchmarks.md, "Pipeline: SSE fan-out"). Queueing this process's writes here instead keeps
/// each write to its own cost. Reads are not queued: WAL lets them run beside a writer.
/// </summary>
public sealed class SerializedWriteGrainStorage(IGrainStorage inner, SqliteWriteGate gate) : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ReadStateAsync(stateName, grainId, grainState);

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await gate.Writers.WaitAsync();
        try
        {
            await inner.WriteStateAsync(stateName, grainId, grainState);
        }
        finally
        {
            gate.Writers.Release();
        }
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await gate.Writers.WaitAsync();
        try
        {
            await inner.ClearStateAsync(stateName, grainId, grainState);
        }
        finally
        {
            gate.Writers.Release();
        }
    }

    public void Participate(ISiloLifecycle lifecycle) => (inner as ILifecycleParticipant<ISiloLifecycle>)?.Participate(lifecycle);
}

/// <summary>One per silo process: every grain-state write to the embedded file passes through it.</summary>
public sealed class SqliteWriteGate
{
    public SemaphoreSlim Writers { get; } = new(1, 1);
}
