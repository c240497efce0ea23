namespace OrbitGrains.Relay;

/// <summary>
/// The cluster's list of relay hubs (one per front-end silo), each under a lease its hub renews with one call per
/// period, and which users each hub holds sockets for. Presence costs one renewal per silo per period, however many
/// users and sockets there are; a hub whose lease runs out, or whose silo cluster membership declares dead, is
/// reported to exactly the user relays that had sockets there (<see cref="IUserRelayGrain.HubLost"/>).
/// </summary>
/// <remarks>Keyed by <see cref="Key"/>. Its state is soft: a new activation learns every hub's users again from the hubs' next renewals.</remarks>
[Alias("OrbitGrains.Relay.IRelayHubRegistryGrain")]
public interface IRelayHubRegistryGrain : IGrainWithStringKey
{
    /// <summary>The one registry's key.</summary>
    public const string Key = "relay";

    /// <summary>
    /// Renews <paramref name="lease"/> and applies the changes to the hub's users since its last renewal
    /// (<paramref name="usersAdded"/>: first socket of a user; <paramref name="usersRemoved"/>: last socket gone).
    /// With <paramref name="complete"/> the added users are the hub's whole list. Returns false when the registry does
    /// not hold the hub's whole list (a new hub, or a new activation of the registry): the hub then sends it, complete.
    /// </summary>
    [Alias("Renew")]
    Task<bool> Renew(RelayHubLease lease, string[] usersAdded, string[] usersRemoved, bool complete);

    /// <summary>The hubs alive now (for health and tests).</summary>
    [Alias("Hubs")]
    Task<string[]> Hubs();
}

/// <summary>One hub's claim, valid for <paramref name="Lease"/> after the registry receives it.</summary>
/// <param name="HubId">The hub's id: its silo's address, '#', a per-start random part.</param>
/// <param name="Hub">How grains reach the hub.</param>
/// <param name="Silo">The silo the hub runs in, checked against cluster membership.</param>
/// <param name="Lease">RELAY_HUB_LEASE_SEC: the hub renews every third of it.</param>
[GenerateSerializer, Immutable, Alias("OrbitGrains.Relay.RelayHubLease")]
public sealed record RelayHubLease(
    [property: Id(0)] string HubId,
    [property: Id(1)] IRelayHub Hub,
    [property: Id(2)] SiloAddress Silo,
    [property: Id(3)] TimeSpan Lease);
