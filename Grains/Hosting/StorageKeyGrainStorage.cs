using Microsoft.Extensions.Logging;
using Orleans.Storage;

namespace OrbitGrains.Hosting;

/// <summary>
/// Every grain storage of the product goes through this: it hands the ADO.NET provider the unambiguous identity of
/// <see cref="StorageKeys"/> instead of the grain's own, so no two grains ever share a row whatever their keys.
/// </summary>
/// <remarks>
/// State written by earlier versions (before keys were encoded) is still found: when a grain has no row under its
/// encoded key, and the old layout kept its key in a row of its own (<see cref="StorageKeys.HadOwnLegacyRow"/>), the
/// old row is read, and the grain's next write moves it to the encoded key. That lookup costs nothing once the store
/// holds no old rows (<see cref="LegacyStorageRows"/>). See docs/storage.md.
/// </remarks>
public sealed partial class StorageKeyGrainStorage(IGrainStorage inner, LegacyStorageRows legacy, ILogger<StorageKeyGrainStorage> logger)
    : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>Marks the ETag of state read from an old row; the provider never sees it.</summary>
    private const string LegacyTag = "legacy:";

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await inner.ReadStateAsync(StorageKeys.StateName(stateName, grainId.Type), StorageKeys.Key(grainId), grainState);
        if (grainState.ETag is null && StorageKeys.HadOwnLegacyRow(grainId) && await legacy.PresentAsync())
        {
            await inner.ReadStateAsync(stateName, grainId, grainState);
            if (grainState.ETag is { } version)
            {
                grainState.ETag = LegacyTag + version;
            }
        }
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (LegacyVersion(grainState) is not { } legacyVersion)
        {
            await inner.WriteStateAsync(StorageKeys.StateName(stateName, grainId.Type), StorageKeys.Key(grainId), grainState);
            return;
        }

        // First write since the state came from an old row: insert it under the encoded key, then drop the old row.
        grainState.ETag = null;
        try
        {
            await inner.WriteStateAsync(StorageKeys.StateName(stateName, grainId.Type), StorageKeys.Key(grainId), grainState);
        }
        catch
        {
            grainState.ETag = LegacyTag + legacyVersion;
            throw;
        }

        await DropLegacyRowAsync(stateName, grainId, legacyVersion, grainState.State);
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (LegacyVersion(grainState) is not { } legacyVersion)
        {
            await inner.ClearStateAsync(StorageKeys.StateName(stateName, grainId.Type), StorageKeys.Key(grainId), grainState);
            return;
        }

        await DropLegacyRowAsync(stateName, grainId, legacyVersion, grainState.State);
        grainState.ETag = null;
        grainState.RecordExists = false;
        grainState.State = Activator.CreateInstance<T>();
    }

    public void Participate(ISiloLifecycle lifecycle) => (inner as ILifecycleParticipant<ISiloLifecycle>)?.Participate(lifecycle);

    private static string? LegacyVersion<T>(IGrainState<T> grainState) =>
        grainState.ETag is { } etag && etag.StartsWith(LegacyTag, StringComparison.Ordinal) ? etag[LegacyTag.Length..] : null;

    private async Task DropLegacyRowAsync<T>(string stateName, GrainId grainId, string version, T state)
    {
        try
        {
            await inner.ClearStateAsync(stateName, grainId, new GrainState<T>(state) { ETag = version, RecordExists = true });
        }
        catch (Exception ex)
        {
            // The state already lives under its encoded key, which is read first: the old row is only left over.
            LogLegacyRowKept(ex, grainId);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The old-layout storage row of {GrainId} could not be removed; its state was moved and the row is unused")]
    private partial void LogLegacyRowKept(Exception exception, GrainId grainId);
}
