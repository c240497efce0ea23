namespace OrbitGrains.Shared;

/// <summary>
/// The front-end hubs a grain delivers through (one observer per silo that holds its sockets), each kept under a
/// lease the hub renews. A hub whose lease runs out belongs to a silo that is gone or cut off.
/// </summary>
/// <remarks>
/// Leases are measured on the machine's monotonic clock, not the product's <see cref="TimeProvider"/>: hubs renew on
/// real-time timers, so judging them by a clock that can jump (moved by tests, or a wall clock stepped by NTP) would
/// drop live sockets whenever it jumped past a lease between two renewals.
/// </remarks>
public sealed class HubLeases<THub> where THub : class
{
    private readonly Dictionary<string, Lease> _hubs = new(StringComparer.Ordinal);

    /// <summary>Records or extends a hub's lease; true when the hub is new or now reached through another reference.</summary>
    public bool Renew(string hubId, THub hub, TimeSpan lease)
    {
        var changed = !_hubs.TryGetValue(hubId, out var known) || !known.Hub.Equals(hub);
        _hubs[hubId] = new Lease(hub, Environment.TickCount64 + (long)lease.TotalMilliseconds);
        return changed;
    }

    /// <summary>The hubs holding a lease (run-out ones included until <see cref="Expire"/>); not to be changed while enumerated.</summary>
    public IEnumerable<THub> Hubs => _hubs.Values.Select(lease => lease.Hub);

    public int Count => _hubs.Count;

    /// <summary>Drops a hub before its lease runs out (its silo was declared dead).</summary>
    public void Forget(string hubId) => _hubs.Remove(hubId);

    public bool TryGet(string hubId, out THub hub)
    {
        if (_hubs.TryGetValue(hubId, out var lease))
        {
            hub = lease.Hub;
            return true;
        }

        hub = null!;
        return false;
    }

    /// <summary>Forgets the hubs whose lease has run out and names them (empty when none).</summary>
    public HashSet<string> Expire()
    {
        var now = Environment.TickCount64;
        var expired = _hubs.Where(h => h.Value.Expires < now).Select(h => h.Key).ToHashSet(StringComparer.Ordinal);
        foreach (var hubId in expired)
        {
            _hubs.Remove(hubId);
        }

        return expired;
    }

    /// <param name="Expires">In <see cref="Environment.TickCount64"/> milliseconds.</param>
    private sealed record Lease(THub Hub, long Expires);
}
