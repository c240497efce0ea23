using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace OrbitGrains.Pipeline;

public sealed partial class PipelineJobGrain
{
    public const int MaxStoredEvents = 1000;

    private readonly List<PipelineEvent> _unpublished = [];
    private EventWatchers? _watchers;

    private EventWatchers Watchers => _watchers ??= new EventWatchers(clock, logger);

    public Task<PipelineEvent[]?> GetEvents() => Task.FromResult(Exists ? S.Events.ToArray() : null);

    public Task<EventBatch> GetEventsAfter(long afterId, int limit) => Task.FromResult(EventsAfter(afterId, limit));

    public Task<EventBatch> Watch(IPipelineJobObserver observer, long afterId)
    {
        if (!Exists)
        {
            return Task.FromResult(new EventBatch([], 0, false));
        }

        Watchers.Renew(observer);
        return Task.FromResult(EventsAfter(afterId, MaxStoredEvents));
    }

    private void Emit(string type, string? stage, string message, object payload)
    {
        var now = clock.GetUtcNow();
        S.UpdatedAt = now;
        // Every status change emits an event, so a status the previous event did not carry is one the job just entered.
        if (S.Events.Count == 0 || S.Events[^1].Status != S.Status)
        {
            meter.Pipeline.Entered(S.Status);
        }

        var @event = new PipelineEvent(++S.LastEventId, now, type, stage, S.Status, message, JsonSerializer.Serialize(payload));
        S.Events.Add(@event);
        var keep = S.Settings is { MaxEvents: > 0 and < MaxStoredEvents } settings ? settings.MaxEvents : MaxStoredEvents;
        if (S.Events.Count > keep)
        {
            S.Events.RemoveRange(0, S.Events.Count - keep);
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
        Watchers.Send(JobId, batch);

        // One message to the all-jobs feed, whoever watches it; it numbers and spreads the events itself.
        try
        {
            _ = GrainFactory.GetGrain<IPipelineFeedGrain>(PipelineFeed.Key).Publish(JobId, batch);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            logger.LogDebug(ex, "Could not hand events of job {Job} to the all-jobs feed", JobId);
        }
    }

    private EventBatch EventsAfter(long afterId, int limit)
    {
        if (!Exists)
        {
            return new EventBatch([], 0, false);
        }

        var events = S.Events.Where(e => e.Id > afterId).Take(Math.Clamp(limit, 1, MaxStoredEvents)).ToArray();
        var floor = S.Events.Count > 0 ? S.Events[0].Id - 1 : S.LastEventId;
        return new EventBatch(events, S.LastEventId, true, floor);
    }
}
