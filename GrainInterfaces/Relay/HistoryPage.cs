namespace OrbitGrains.Relay;

/// <summary>A sealed page of a thread's history that is still retained.</summary>
/// <param name="Number">The page's number in its log (0, 1, 2, ...), part of its grain key.</param>
/// <param name="Count">Entries on the page.</param>
/// <param name="Bytes">Their size in UTF-16 code units (what retention counts).</param>
/// <param name="FirstId">The first entry's id (artifacts; 0 for messages).</param>
[GenerateSerializer, Immutable, Alias("OrbitGrains.Relay.HistoryPage")]
public sealed record HistoryPage(
    [property: Id(0)] long Number,
    [property: Id(1)] int Count,
    [property: Id(2)] long Bytes,
    [property: Id(3)] long FirstId);
