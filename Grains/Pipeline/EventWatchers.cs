using Microsoft.Extensions.Logging;

namespace OrbitGrains.Pipeline;

/// <summary>
/// The front ends watching one event source (a job, or the all-jobs feed), each under a lease its hub renews.
/// A front end that stops renewing (its silo is gone, or nobody there watches any more) is dropped when the lease
/// runs out.
/// </summary>
public sealed class EventWatchers(TimeProvider clock, ILogger logger)
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);

    private readonly Dictionary<IPipelineJobObserver, DateTimeOffset> _observers = [];

    public int Count => _observers.Count;

    public void Renew(IPipelineJobObserver observer) => _observers[observer] = clock.GetUtcNow() + Lease;

    /// <summary>One one-way call per watching front end; the events are encoded once there, for all of its streams.</summary>
    public void Send(string sourceKey, PipelineEvent[] events)
    {
        if (_observers.Count == 0)
        {
            return;
        }

        var now = clock.GetUtcNow();
        List<IPipelineJobObserver>? expired = null;
        foreach (var (observer, until) in _observers)
        {
            if (until < now)
            {
                (expired ??= []).Add(observer);
                continue;
            }

            try
            {
                _ = observer.OnEvents(sourceKey, events);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                logger.LogDebug(ex, "Dropping a watcher of {Source}", sourceKey);
                (expired ??= []).Add(observer);
            }
        }

        expired?.ForEach(observer => _observers.Remove(observer));
    }
}
