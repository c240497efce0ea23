namespace OrbitGrains.Accounts;

public sealed class FailureCounterGrain(TimeProvider clock) : Grain, IFailureCounterGrain
{
    private readonly Queue<DateTimeOffset> _failures = new();

    public Task<TimeSpan> RetryAfter(FailureLimit limit)
    {
        var now = Prune(limit);
        if (_failures.Count < limit.MaxFailures)
        {
            return Task.FromResult(TimeSpan.Zero);
        }

        // Allowed again when enough of the oldest failures have left the window.
        var freeing = _failures.ElementAt(_failures.Count - limit.MaxFailures);
        return Task.FromResult(freeing + limit.Window - now);
    }

    public Task RecordFailure(FailureLimit limit)
    {
        var now = Prune(limit);
        _failures.Enqueue(now);
        // Bounded by the limit: older failures cannot change any answer.
        while (_failures.Count > limit.MaxFailures)
        {
            _failures.Dequeue();
        }

        return Task.CompletedTask;
    }

    private DateTimeOffset Prune(FailureLimit limit)
    {
        var now = clock.GetUtcNow();
        while (_failures.TryPeek(out var oldest) && oldest + limit.Window <= now)
        {
            _failures.Dequeue();
        }

        return now;
    }
}
