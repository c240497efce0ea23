namespace OrbitGrains.Rooms;

/// <summary>
/// A full page of an append-only log ("{log}#{page}"): the audit log's entries or a recording's. Written once,
/// then only read, so appending to the log never rewrites what it already stored.
/// </summary>
[Alias("OrbitGrains.Rooms.ISealedPageGrain`1")]
public interface ISealedPageGrain<TEntry> : IGrainWithStringKey
{
    [Alias("Seal")]
    Task Seal(TEntry[] entries);

    [Alias("Entries")]
    Task<TEntry[]> Entries();

    /// <summary>Deletes the page (retention: a log that keeps only its newest pages lets the oldest go).</summary>
    [Alias("Clear")]
    Task Clear();
}
