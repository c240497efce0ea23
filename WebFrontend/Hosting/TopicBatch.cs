namespace OrbitGrains.WebFrontend.Hosting;

/// <summary>What a topic's source answers a watch or a read: entries after an id (oldest first), its newest id, and whether the topic exists.</summary>
/// <param name="LastId">The newest id the source has given (0 when none).</param>
public readonly record struct TopicBatch<TEntry>(IReadOnlyList<TEntry> Entries, long LastId, bool Exists = true);
