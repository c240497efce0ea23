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

    /// <summary>
    /// One text frame from a socket (anything but ping, which the socket answers itself). False when this relay
    /// does not know the socket (its state was lost with a silo): the socket must close so its peer reconnects.
    /// </summary>
    [Alias("Receive")]
    Task<bool> Receive(string connectionId, string frame);

    /// <summary>
    /// The hub is alive and holds these sockets of the user. Sockets of hubs whose lease runs out are dropped;
    /// sockets this relay does not know are closed (1012) so that their peers reconnect and subscribe again.
    /// </summary>
    [Alias("RenewHub")]
    Task RenewHub(string hubId, IRelayHub hub, TimeSpan lease, string[] connectionIds);

    [Alias("ListAnchors")]
    Task<AnchorInfo[]> ListAnchors();

    /// <summary>A thread's artifacts, including those of messages relayed a moment ago.</summary>
    [Alias("Artifacts")]
    Task<ArtifactPage> Artifacts(string threadId, int limit, long? beforeId);
}
