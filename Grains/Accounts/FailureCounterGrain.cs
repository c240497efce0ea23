namespace OrbitGrains.Accounts;

public sealed class FailureCounterGrain(TimeProvider clock) : Grain, IFailureCounterGrain
{
    /// <summary>Slots taken within the window, oldest first: when each was taken, and its id for a refund.</summary>
    private readonly LinkedList<(DateTimeOffset At, long Id)> _slots = new();
    private long _nextId;

    public Task<AttemptReservation> Reserve(FailureLimit limit)
    {
        var now = clock.GetUtcNow();
        while (_slots.First is { } oldest && oldest.Value.At + limit.Window <= now)
        {
            _slots.RemoveFirst();
        }

        if (_slots.Count >= limit.MaxFailures)
        {
            // Allowed again when enough of the oldest slots have left the window.
            var freeing = _slots.ElementAt(_slots.Count - limit.MaxFailures).At;
            return Task.FromResult(new AttemptReservation(false, 0, freeing + limit.Window - now));
        }

        var id = ++_nextId;
        _slots.AddLast((now, id));
        return Task.FromResult(new AttemptReservation(true, id, TimeSpan.Zero));
    }

    public Task Refund(long reservationId)
    {
        for (var node = _slots.Last; node is not null; node = node.Previous)
        {
            if (node.Value.Id == reservationId)
            {
                _slots.Remove(node);
                break;
            }
        }

        return Task.CompletedTask;
    }
}
