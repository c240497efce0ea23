namespace OrbitGrains.Relay;

/// <summary>A thread's latest turn (spec/orbit.md, `orbit.relay-state`).</summary>
/// <param name="Id">The turn id the anchor sent, if any.</param>
/// <param name="Status">The status as the anchor sent it in `params.turn.status`, else the relay's name for the method ("InProgress", "Completed", ...).</param>
/// <param name="Running">Whether the latest transition was `turn/started`; null in rows stored before this member existed.</param>
[GenerateSerializer, Immutable, Alias("OrbitGrains.Relay.TurnState")]
public sealed record TurnState([property: Id(0)] string? Id, [property: Id(1)] string Status, [property: Id(2)] bool? Running = null);

/// <summary>What a client needs when it (re)subscribes: the binding, the turn, and the messages to replay.</summary>
[GenerateSerializer, Immutable, Alias("OrbitGrains.Relay.ThreadSnapshot")]
public sealed record ThreadSnapshot(
    [property: Id(0)] string? BoundAnchorId,
    [property: Id(1)] TurnState? Turn,
    [property: Id(2)] string[] Replay);

[GenerateSerializer, Immutable, Alias("OrbitGrains.Relay.ArtifactRecord")]
public sealed record ArtifactRecord(
    [property: Id(0)] long Id,
    [property: Id(1)] string ThreadId,
    [property: Id(2)] string? TurnId,
    [property: Id(3)] string? AnchorId,
    [property: Id(4)] string? ItemId,
    [property: Id(5)] string ArtifactType,
    [property: Id(6)] string ItemType,
    [property: Id(7)] string Summary,
    [property: Id(8)] string PayloadJson,
    [property: Id(9)] DateTimeOffset CreatedAt);

[GenerateSerializer, Immutable, Alias("OrbitGrains.Relay.ArtifactPage")]
public sealed record ArtifactPage([property: Id(0)] ArtifactRecord[] Artifacts, [property: Id(1)] long? NextBeforeId);
