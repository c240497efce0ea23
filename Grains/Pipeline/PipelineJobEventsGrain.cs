using Microsoft.Extensions.Logging;
using OrbitGrains.Hosting;

namespace OrbitGrains.Pipeline;

/// <summary>
/// One job's event log, apart from the job's state so that a transition stores the job's few fields rather than
/// rewriting up to 1000 events, and so that streams and polling read events without waiting for the job's turn.
/// </summary>
/// <remarks>
/// A job stored by earlier versions kept its events in its own state. An empty log asks the job once per activation
/// for the events it holds (<see cref="IPipelineJobGrain.PendingEvents"/>, a read that interleaves, so it cannot
/// deadlock with the job handing over a batch); the job drops its copy once it has handed it over.
/// </remarks>
[GrainType("pipeline-job-events")]
public sealed class PipelineJobEventsGrain(
    [PersistentState("pipeline-job-events", OrbitStorageNames.GrainState)] IPersistentState<PipelineJobEventsGrain.State> store,
    TimeProvider clock,
    ILogger<PipelineJobEventsGrain> logger) : Grain, IPipelineJobEventsGrain
{
    /// <summary>The most events a job keeps (storage.max_events_per_job cannot ask for more).</summary>
    public const int MaxStoredEvents = 1000;

    private readonly EventWatchers _watchers = new(clock, logger);
    private bool _askedJob;

    private string JobId => this.GetPrimaryKeyString();

    public async Task Append(PipelineEvent[] events, int keep)
    {
        var fresh = Keep(events, keep);
        if (fresh.Length == 0)
        {
            return;
        }

        await store.WriteStateAsync();
        _watchers.Send(JobId, fresh);

        // One message to the all-jobs feed, whoever watches it; it numbers and spreads the events itself.
        try
        {
            _ = GrainFactory.GetGrain<IPipelineFeedGrain>(PipelineFeed.Key).Publish(JobId, fresh);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            logger.LogDebug(ex, "Could not hand events of job {Job} to the all-jobs feed", JobId);
        }
    }

    public async Task<PipelineEvent[]> GetEvents()
    {
        await TakeOverAsync();
        return store.State.Events.ToArray();
    }

    public async Task<EventBatch> GetEventsAfter(long afterId, int limit)
    {
        await TakeOverAsync();
        return After(afterId, limit);
    }

    public async Task<EventBatch> Watch(IPipelineJobObserver observer, long afterId)
    {
        await TakeOverAsync();
        if (store.State.LastEventId == 0)
        {
            return new EventBatch([], 0, false);
        }

        _watchers.Renew(observer);
        return After(afterId, MaxStoredEvents);
    }

    /// <summary>Keeps the events newer than the newest kept; returns them.</summary>
    private PipelineEvent[] Keep(PipelineEvent[] events, int keep)
    {
        var state = store.State;
        var fresh = events.Where(e => e.Id > state.LastEventId).OrderBy(e => e.Id).ToArray();
        if (fresh.Length == 0)
        {
            return fresh;
        }

        state.Events.AddRange(fresh);
        state.LastEventId = fresh[^1].Id;
        var limit = Math.Clamp(keep, 1, MaxStoredEvents);
        if (state.Events.Count > limit)
        {
            state.Events.RemoveRange(0, state.Events.Count - limit);
        }

        return fresh;
    }

    /// <summary>Fills an empty log from the job's own state (a job stored by an earlier version, or a batch not yet handed over).</summary>
    private async Task TakeOverAsync()
    {
        if (store.State.LastEventId > 0 || _askedJob)
        {
            return;
        }

        _askedJob = true;
        var pending = await GrainFactory.GetGrain<IPipelineJobGrain>(JobId).PendingEvents();
        if (pending is { Events.Length: > 0 } && Keep(pending.Events, pending.Keep).Length > 0)
        {
            await store.WriteStateAsync();
        }
    }

    private EventBatch After(long afterId, int limit)
    {
        var state = store.State;
        if (state.LastEventId == 0)
        {
            return new EventBatch([], 0, false);
        }

        var events = state.Events.Where(e => e.Id > afterId).Take(Math.Clamp(limit, 1, MaxStoredEvents)).ToArray();
        var floor = state.Events.Count > 0 ? state.Events[0].Id - 1 : state.LastEventId;
        return new EventBatch(events, state.LastEventId, true, floor);
    }

    /// <summary>The stored log: the newest events, oldest first, and the newest id ever kept.</summary>
    [GenerateSerializer, Alias("OrbitGrains.Pipeline.PipelineJobEventsGrain.State")]
    public sealed class State
    {
        [Id(0)] public List<PipelineEvent> Events { get; set; } = [];
        [Id(1)] public long LastEventId { get; set; }
    }
}
