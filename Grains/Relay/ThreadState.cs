namespace OrbitGrains.Relay;

/// <summary>
/// A thread's stored state: its binding and turn, and the open pages of its two logs (relayed messages and artifacts)
/// with the list of sealed pages still retained. Everything here is bounded by <see cref="ThreadHistoryOptions"/>,
/// so writing it never rewrites history: full pages live in their own grains.
/// </summary>
/// <remarks>Rows stored before paging hold up to 200 messages and 1,000 artifacts in the open lists; they are sealed into pages on the next write.</remarks>
[GenerateSerializer, Alias("OrbitGrains.Relay.ThreadState")]
public sealed class ThreadState
{
    [Id(0)] public string? BoundAnchorId { get; set; }
    [Id(1)] public TurnState? Turn { get; set; }

    /// <summary>The open page of relayed messages, oldest first.</summary>
    [Id(2)] public List<string> Messages { get; set; } = [];

    /// <summary>The open page of artifacts, oldest first.</summary>
    [Id(3)] public List<ArtifactRecord> Artifacts { get; set; } = [];
    [Id(4)] public long NextArtifactId { get; set; } = 1;

    /// <summary>Retained sealed pages of messages, oldest first.</summary>
    [Id(5)] public List<HistoryPage> MessagePages { get; set; } = [];

    /// <summary>Retained sealed pages of artifacts, oldest first.</summary>
    [Id(6)] public List<HistoryPage> ArtifactPages { get; set; } = [];
    [Id(7)] public long NextMessagePage { get; set; }
    [Id(8)] public long NextArtifactPage { get; set; }
}
