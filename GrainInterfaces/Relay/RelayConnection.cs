namespace OrbitGrains.Relay;

/// <summary>
/// One open socket as the routing grain knows it: an id unique in the cluster, its role, the per-tab client id
/// (clients only), and the front-end hub that holds it. <paramref name="HubTakesBatches"/>: the hub implements
/// <see cref="IRelayHub.DeliverMany"/> (false from a front end of an older version, which then gets one call per frame).
/// </summary>
[GenerateSerializer, Immutable, Alias("OrbitGrains.Relay.RelayConnection")]
public sealed record RelayConnection(
    [property: Id(0)] string ConnectionId,
    [property: Id(1)] RelayRole Role,
    [property: Id(2)] string? ClientId,
    [property: Id(3)] string HubId,
    [property: Id(4)] bool HubTakesBatches = false);
