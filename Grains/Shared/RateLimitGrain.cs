namespace OrbitGrains.Shared;

/// <summary>
/// A token bucket kept in memory. Losing it on deactivation is harmless: an idle bucket would be full again anyway,
/// and the grain only deactivates after being idle far longer than any refill period.
/// </summary>
public sealed class RateLimitGrain(TimeProvider? clock = null) : Grain, IRateLimitGrain
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private double _tokens = double.NaN;
    private DateTimeOffset _refilledAt;

    public Task<RateLimitDecision> TryAcquire(RateLimitPolicy policy)
    {
        var capacity = Math.Max(1, policy.Capacity);
        var perSecond = Math.Max(1, policy.RefillPerMinute) / 60.0;
        var now = _clock.GetUtcNow();
        if (double.IsNaN(_tokens))
        {
            _tokens = capacity;
        }
        else
        {
            _tokens = Math.Min(capacity, _tokens + (now - _refilledAt).TotalSeconds * perSecond);
        }

        _refilledAt = now;
        if (_tokens >= 1)
        {
            _tokens -= 1;
            return Task.FromResult(new RateLimitDecision(true, 0));
        }

        var wait = (1 - _tokens) / perSecond;
        return Task.FromResult(new RateLimitDecision(false, Math.Max(1, (int)Math.Ceiling(wait))));
    }
}
