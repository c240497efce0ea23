namespace OrbitGrains.WebFrontend.Sockets;

/// <summary>
/// A node-wide allowance of bytes that sockets hold while they read and handle large messages, so that many peers
/// sending big frames at once (15 MB images) cannot together take more memory than the node set aside. A socket that
/// cannot get its share waits (it stops reading, which backpressures its peer over TCP); one that waits longer than
/// the caller allows is refused rather than queued forever, so partial reservations can never deadlock the node.
/// </summary>
/// <param name="capacity">Bytes that may be held at once, across every socket using this budget.</param>
public sealed class ByteBudget(long capacity)
{
    private readonly object _gate = new();
    private readonly LinkedList<Waiter> _waiters = new();
    private long _available = capacity;

    public long Capacity { get; } = capacity;

    /// <summary>Bytes held now (for metrics and tests).</summary>
    public long Held
    {
        get
        {
            lock (_gate)
            {
                return Capacity - _available;
            }
        }
    }

    /// <summary>
    /// Takes <paramref name="bytes"/> (at most <see cref="Capacity"/>), waiting up to <paramref name="wait"/> in
    /// first-come order; false when they could not be had in time (nothing is then held).
    /// </summary>
    public async Task<bool> TryReserveAsync(long bytes, TimeSpan wait, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (bytes > Capacity)
        {
            return false;
        }

        Waiter waiter;
        lock (_gate)
        {
            if (_waiters.Count == 0 && _available >= bytes)
            {
                _available -= bytes;
                return true;
            }

            waiter = new Waiter(bytes);
            waiter.Node = _waiters.AddLast(waiter);
        }

        using var timeout = new CancellationTokenSource(wait, clock);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        using var registration = linked.Token.Register(() => Abandon(waiter));
        return await waiter.Granted.Task.ConfigureAwait(false);
    }

    /// <summary>Gives back bytes taken by <see cref="TryReserveAsync"/>, and hands them to whoever waits first.</summary>
    public void Release(long bytes)
    {
        if (bytes <= 0)
        {
            return;
        }

        lock (_gate)
        {
            _available += bytes;
        }

        GrantWaiters();
    }

    /// <summary>Hands available bytes to waiters in order; the first that does not fit holds up the rest (no starvation of big reads).</summary>
    private void GrantWaiters()
    {
        var granted = new List<Waiter>();
        lock (_gate)
        {
            while (_waiters.First is { } first && first.Value.Bytes <= _available)
            {
                _available -= first.Value.Bytes;
                _waiters.RemoveFirst();
                first.Value.Node = null;
                granted.Add(first.Value);
            }
        }

        foreach (var waiter in granted)
        {
            waiter.Granted.TrySetResult(true);
        }
    }

    private void Abandon(Waiter waiter)
    {
        lock (_gate)
        {
            if (waiter.Node is null)
            {
                return; // granted already: the caller holds the bytes and releases them
            }

            _waiters.Remove(waiter.Node);
            waiter.Node = null;
        }

        waiter.Granted.TrySetResult(false);

        // The one that gave up may have been holding up smaller requests behind it.
        GrantWaiters();
    }

    private sealed class Waiter(long bytes)
    {
        public long Bytes { get; } = bytes;
        public LinkedListNode<Waiter>? Node { get; set; }
        public TaskCompletionSource<bool> Granted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
