namespace OrbitGrains.Relay;

/// <summary>
/// Frames a relay sends while it handles one batch of a socket's frames (<see cref="IUserRelayGrain.ReceiveMany"/>),
/// kept per hub in the order sent and handed over in one <see cref="IRelayHub.DeliverMany"/> per hub, so a burst costs
/// one grain call per hub instead of one per frame. The owner flushes before anything it awaits, so a frame never waits
/// behind a storage write. Used on one grain's scheduler only.
/// </summary>
internal sealed class RelayOutbox
{
    private readonly List<(IRelayHub Hub, List<RelayDelivery> Deliveries)> _byHub = [];

    /// <summary>True between <see cref="Open"/> and <see cref="Close"/>: sends to hubs that take batches wait here.</summary>
    public bool IsOpen { get; private set; }

    public void Open() => IsOpen = true;

    /// <summary>Queues <paramref name="frame"/> for <paramref name="connectionIds"/> on <paramref name="hub"/>, after what it already holds.</summary>
    public void Add(IRelayHub hub, string[] connectionIds, string frame)
    {
        // A relay's sockets sit on a handful of front ends: a list beats a dictionary here.
        foreach (var (known, deliveries) in _byHub)
        {
            if (known.Equals(hub))
            {
                deliveries.Add(new RelayDelivery(connectionIds, frame));
                return;
            }
        }

        _byHub.Add((hub, [new RelayDelivery(connectionIds, frame)]));
    }

    /// <summary>Hands everything held to its hubs: a lone frame as <see cref="IRelayHub.Deliver"/>, more as one <see cref="IRelayHub.DeliverMany"/>.</summary>
    public void Flush(string userId)
    {
        foreach (var (hub, deliveries) in _byHub)
        {
            _ = deliveries.Count == 1
                ? hub.Deliver(userId, deliveries[0].ConnectionIds, deliveries[0].Frame)
                : hub.DeliverMany(userId, [.. deliveries]);
        }

        _byHub.Clear();
    }

    /// <summary>Flushes and stops holding: sends go straight to their hubs again.</summary>
    public void Close(string userId)
    {
        Flush(userId);
        IsOpen = false;
    }
}
