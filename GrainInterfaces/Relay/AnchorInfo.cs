namespace OrbitGrains.Relay;

/// <summary>An anchor that said hello, as clients see it in orbit.anchors and orbit.anchor-connected.</summary>
[GenerateSerializer, Immutable, Alias("OrbitGrains.Relay.AnchorInfo")]
public sealed record AnchorInfo(
    [property: Id(0)] string Id,
    [property: Id(1)] string? Hostname,
    [property: Id(2)] string? Platform,
    [property: Id(3)] DateTimeOffset ConnectedAt);
