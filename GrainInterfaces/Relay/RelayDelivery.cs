namespace OrbitGrains.Relay;

/// <summary>One frame for some of a hub's sockets, as <see cref="IRelayHub.Deliver"/> takes it; an element of <see cref="IRelayHub.DeliverMany"/>.</summary>
/// <param name="ConnectionIds">The hub's sockets to write <paramref name="Frame"/> to (ids it does not hold are skipped).</param>
/// <param name="Frame">A whole text frame of the Orbit protocol (../shared/spec/orbit.md), as relayed.</param>
[GenerateSerializer, Immutable, Alias("OrbitGrains.Relay.RelayDelivery")]
public sealed record RelayDelivery(
    [property: Id(0)] string[] ConnectionIds,
    [property: Id(1)] string Frame);
