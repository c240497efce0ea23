using System.Globalization;
using System.Text;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace OrbitGrains.Hosting;

/// <summary>
/// Embedded mode: one named Orleans ADO.NET grain storage whose writes and clears go through the process's
/// <see cref="SqliteGroupCommit"/> instead of a transaction each. Reads stay with the provider, so state is read the
/// same way whoever wrote it: the rows written here carry the provider's hashes, key columns, version and payload
/// (its own <see cref="AdoNetGrainStorage.Serializer"/> and <see cref="AdoNetGrainStorage.HashPicker"/>).
/// </summary>
/// <remarks>
/// Sits under <see cref="StorageKeyGrainStorage"/>, which hands it the product's string keys. A key the provider
/// would read as a GUID or a number (only an old-layout row being dropped, see docs/storage.md) goes to the provider
/// unchanged, as does a state name with generic arguments; neither happens on the write path of current rows.
/// Errors are the provider's: <see cref="InconsistentStateException"/> when the ETag is not the row's version.
/// </remarks>
public sealed class GroupCommitGrainStorage(
    AdoNetGrainStorage provider,
    string name,
    string serviceId,
    bool deleteStateOnClear,
    SqliteGroupCommit writer,
    IActivatorProvider activators) : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        provider.ReadStateAsync(stateName, grainId, grainState);

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (RowKey(stateName, grainId, grainState) is not { } key)
        {
            await provider.WriteStateAsync(stateName, grainId, grainState);
            return;
        }

        var payload = provider.Serializer.Serialize(grainState.State).ToArray();
        var stored = await writer.WriteAsync(key, Version(grainState.ETag), payload)
            ?? throw Conflict("WriteState", key, grainState.ETag);
        grainState.ETag = stored.ToString(CultureInfo.InvariantCulture);
        grainState.RecordExists = true;
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (RowKey(stateName, grainId, grainState) is not { } key)
        {
            await provider.ClearStateAsync(stateName, grainId, grainState);
            return;
        }

        // As the provider does: state never read nor written learns its row's version first, and nothing stored means nothing to clear.
        if (!grainState.RecordExists && string.IsNullOrWhiteSpace(grainState.ETag))
        {
            await provider.ReadStateAsync(stateName, grainId, grainState);
            if (!grainState.RecordExists)
            {
                return;
            }
        }

        var version = Version(grainState.ETag) ?? throw Conflict("ClearState", key, grainState.ETag);
        var stored = await writer.ClearAsync(key, version, deleteStateOnClear) ?? throw Conflict("ClearState", key, grainState.ETag);
        grainState.ETag = deleteStateOnClear ? null : stored.ToString(CultureInfo.InvariantCulture);
        grainState.RecordExists = false;
        grainState.State = activators.GetActivator<T>().Create();
    }

    public void Participate(ISiloLifecycle lifecycle) => provider.Participate(lifecycle);

    /// <summary>The provider's row for a plain string key, or null for the keys and names left to the provider.</summary>
    private StorageRowKey? RowKey<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (stateName.Contains('`') || grainId.TryGetGuidKey(out _, out _) || grainId.TryGetIntegerKey(out _, out _))
        {
            return null;
        }

        if (provider.HashPicker.PickHasher(serviceId, name, stateName, grainId, grainState) is not { } hasher)
        {
            return null;
        }

        var key = grainId.Key.ToString();
        // The provider hashes a string key's UTF-8 bytes in reverse order on little-endian machines.
        var keyBytes = Encoding.UTF8.GetBytes(key);
        if (BitConverter.IsLittleEndian)
        {
            Array.Reverse(keyBytes);
        }

        return new StorageRowKey(hasher.Hash(keyBytes), 0, 0, hasher.Hash(Encoding.UTF8.GetBytes(stateName)), stateName, key, serviceId);
    }

    private static int? Version(string? etag) =>
        string.IsNullOrWhiteSpace(etag) ? null : int.Parse(etag, CultureInfo.InvariantCulture);

    private InconsistentStateException Conflict(string operation, StorageRowKey key, string? etag) =>
        new($"Version conflict ({operation}): ServiceId={serviceId} ProviderName={name} GrainType={key.GrainTypeString} GrainId={key.GrainIdExtensionString} ETag={etag}.");
}
