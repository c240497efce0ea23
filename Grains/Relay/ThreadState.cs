namespace OrbitGrains.Relay;

[GenerateSerializer, Alias("OrbitGrains.Relay.ThreadState")]
public sealed class ThreadState
{
    [Id(0)] public string? BoundAnchorId { get; set; }
    [Id(1)] public TurnState? Turn { get; set; }
    [Id(2)] public List<string> Messages { get; set; } = [];
    [Id(3)] public List<ArtifactRecord> Artifacts { get; set; } = [];
    [Id(4)] public long NextArtifactId { get; set; } = 1;
}
