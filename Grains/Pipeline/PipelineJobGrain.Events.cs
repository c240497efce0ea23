using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace OrbitGrains.Pipeline;

public sealed partial class PipelineJobGrain
{
    public const int MaxStoredEvents = 1000;

    // A silo's observer that has not renewed within this long is presumed gone (its silo died or it stopped watching).
    private static readonly TimeSpan ObserverLease = TimeSpan.FromMinutes(2);

    private readonly Dictionary<IPipelineJobObserver, DateTimeOffset> _observers = [];
    private readonly List<PipelineEvent> _unpublished = [];

    public Task<PipelineEvent[]?> GetEvents() => Task.FromResult(Exists ? S.Events.ToArray() : null);

    public Task<EventBatch> GetEventsAfter(long afterId, int limit) => Task.FromResult(EventsAfter(afterId, limit));

    public Task<EventBatch> Watch(IPipelineJobObserver observer, long afterId)
    {
        if (!Exists)
        {
            return Task.FromResult(new EventBatch([], 0, false));
        }

        _observers[observer] = clock.GetUtcNow() + ObserverLease;
        return Task.FromResult(EventsAfter(afterId, MaxStoredEvents));
    }

    private void Emit(string type, string? stage, string message, object payload)
    {
        var now = clock.GetUtcNow();
        S.UpdatedAt = now;
        var @event = new PipelineEvent(++S.LastEventId, now, type, stage, S.Status, message, JsonSerializer.Serialize(payload));
        S.Events.Add(@event);
        if (S.Events.Count > MaxStoredEvents)
        {
            S.Events.RemoveRange(0, S.Events.Count - MaxStoredEvents);
        }

        _unpublished.Add(@event);
    }

    /// <summary>Stores first, then tells the watching silos: an event a client sees is always one a replay can give again.</summary>
    private async Task SaveAndPublishAsync()
    {
        await store.WriteStateAsync();
        if (_unpublished.Count == 0)
        {
            return;
        }

        var batch = _unpublished.ToArray();
        _unpublished.Clear();
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
                _ = observer.OnEvents(JobId, batch);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                logger.LogDebug(ex, "Dropping an observer of job {Job}", JobId);
                (expired ??= []).Add(observer);
            }
        }

        expired?.ForEach(observer => _observers.Remove(observer));
    }

    private EventBatch EventsAfter(long afterId, int limit)
    {
        if (!Exists)
        {
            return new EventBatch([], 0, false);
        }

        var events = S.Events.Where(e => e.Id > afterId).Take(Math.Clamp(limit, 1, MaxStoredEvents)).ToArray();
        return new EventBatch(events, S.LastEventId, true);
    }
}
