using Orleans.Concurrency;

namespace OrbitGrains.Relay;

/// <summary>
/// The connection hub of one front-end silo, as routing grains see it: one call per silo carries a frame to
/// every target socket that silo holds. Sockets never hold routing rules; grains never hold sockets.
/// </summary>
[Alias("OrbitGrains.Relay.IRelayHub")]
public interface IRelayHub : IGrainObserver
{
    /// <summary>Writes one frame to each listed local socket (queued; a socket that cannot keep up is closed).</summary>
    /// <remarks>Frames for one <paramref name="userId"/> reach each socket in the order they were sent.</remarks>
    [OneWay, Alias("Deliver")]
    Task Deliver(string userId, string[] connectionIds, string frame);

    /// <summary>
    /// <see cref="Deliver"/> for each of <paramref name="deliveries"/>, in their order: what a relay sent while it handled
    /// one batch of a socket's frames, in one call instead of one per frame. Sent only to hubs whose sockets connected
    /// with <see cref="RelayConnection.HubTakesBatches"/> (a front end of an older version lacks it during a rolling upgrade).
    /// </summary>
    [OneWay, Alias("DeliverMany")]
    Task DeliverMany(string userId, RelayDelivery[] deliveries);

    /// <summary>Closes a local socket, e.g. one replaced by a newer connection of the same client.</summary>
    [OneWay, Alias("Close")]
    Task Close(string connectionId, int closeStatus, string reason);
}
