namespace OrbitGrains.Hosting;

/// <summary>
/// The identity of one row of <c>OrleansStorage</c>, in the columns and spelling of the Orleans ADO.NET grain storage
/// (its hashes, its type column, its key columns), so that a row written by <see cref="SqliteGroupCommit"/> is the
/// row the provider reads.
/// </summary>
/// <param name="GrainIdHash">The provider's hash of the grain's key bytes.</param>
/// <param name="GrainIdN0">First half of a GUID or integer key; 0 for a string key.</param>
/// <param name="GrainIdN1">Second half of a GUID or integer key; 0 for a string key.</param>
/// <param name="GrainTypeHash">The provider's hash of <paramref name="GrainTypeString"/>'s UTF-8 bytes.</param>
/// <param name="GrainTypeString">The type column: the state name as the provider receives it.</param>
/// <param name="GrainIdExtensionString">The string key (or a key's extension).</param>
/// <param name="ServiceId">The cluster's service id.</param>
public readonly record struct StorageRowKey(
    int GrainIdHash,
    long GrainIdN0,
    long GrainIdN1,
    int GrainTypeHash,
    string GrainTypeString,
    string? GrainIdExtensionString,
    string ServiceId);
