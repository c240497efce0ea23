namespace OrbitGrains.Relay;

/// <summary>
/// One user's relay: which of the user's clients and anchors are connected where, what each subscribed to,
/// and every routing decision of the Orbit protocol for that user. Keyed by user id, so one user's traffic
/// can never reach another's sockets.
/// </summary>
[Alias("OrbitGrains.Relay.IUserRelayGrain")]
public interface IUserRelayGrain : IGrainWithStringKey
{
    /// <summary>Registers a socket and the hub that holds it; an older socket of the same client id is closed.</summary>
    [Alias("Connect")]
    Task Connect(RelayConnection connection, IRelayHub hub);

    [Alias("Disconnect")]
    Task Disconnect(string connectionId);

    /// <summary>One text frame from a socket (anything but ping, which the socket answers itself).</summary>
    [Alias("Receive")]
    Task Receive(string connectionId, string frame);

    /// <summary>The hub is alive and still holds these sockets; sockets of hubs whose lease runs out are dropped.</summary>
    [Alias("RenewHub")]
    Task RenewHub(string hubId, IRelayHub hub, TimeSpan lease);

    [Alias("ListAnchors")]
    Task<AnchorInfo[]> ListAnchors();
}
