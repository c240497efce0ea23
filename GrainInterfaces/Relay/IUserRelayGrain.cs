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
    /// Frames a socket read one after another, handled in that order in one call (a socket sends its next frames together
    /// while a call is in flight: <c>InboundBatches</c> in the front end). False when this relay does not know the socket
    /// (the frames from there on were not handled).
    /// </summary>
    [Alias("ReceiveMany")]
    Task<bool> ReceiveMany(string connectionId, string[] frames);

    /// <summary>
    /// The hub holds exactly these sockets of the user (sent when cluster membership changed: a silo left, and this
    /// relay may have been activated anew without its presence). Sockets this relay does not know are closed (1012) so
    /// that their peers reconnect and subscribe again; sockets of hubs on silos that membership declares dead are dropped.
    /// </summary>
    [Alias("Reconcile")]
    Task Reconcile(string hubId, IRelayHub hub, string[] connectionIds);

    /// <summary>The hub's lease ran out or its silo is dead (<see cref="IRelayHubRegistryGrain"/>): its sockets are gone.</summary>
    [Alias("HubLost")]
    Task HubLost(string hubId);

    [Alias("ListAnchors")]
    Task<AnchorInfo[]> ListAnchors();

    /// <summary>A thread's artifacts, including those of messages relayed a moment ago.</summary>
    [Alias("Artifacts")]
    Task<ArtifactPage> Artifacts(string threadId, int limit, long? beforeId);
}
