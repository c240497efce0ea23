using Microsoft.Extensions.Logging;
using OrbitGrains.Hosting;

namespace OrbitGrains.Pipeline;

/// <summary>
/// The all-jobs feed: numbers every job's events with one sequence, keeps the newest <see cref="Capacity"/> in
/// memory for Last-Event-ID replay, and passes each batch to every watching front end.
/// </summary>
/// <remarks>
/// Only the epoch is stored (once per activation): the events themselves are stored by their jobs, and replay after
/// the feed moved or restarted is refused rather than guessed (the reader's id belongs to an earlier epoch), so a
/// reader learns that it must reload instead of silently missing events.
/// </remarks>
public sealed class PipelineFeedGrain(
    [PersistentState("pipeline-feed", OrbitStorageNames.GrainState)] IPersistentState<PipelineFeedGrain.State> store,
    TimeProvider clock,
    IClusterMembershipService membership,
    ILogger<PipelineFeedGrain> logger) : Grain, IPipelineFeedGrain
{
    /// <summary>How often the feed looks for silos the cluster declared dead since it activated.</summary>
    private static readonly TimeSpan MembershipCheck = TimeSpan.FromSeconds(1);

    private HashSet<SiloAddress> _deadAtActivation = [];

    public const int Capacity = 5000;

    private readonly EventWatchers _watchers = new(clock, logger);
    private readonly Queue<PipelineEvent> _recent = new();

    // The newest event id seen per job in this activation: a repeated batch is dropped, a gap is filled from the job.
    private readonly Dictionary<string, long> _lastPerJob = new(StringComparer.Ordinal);

    // Jobs that finished in this activation: a later batch (a patch applied afterwards) is passed on as it comes.
    private readonly HashSet<string> _finishedHere = new(StringComparer.Ordinal);
    private long _last;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await StartEpochAsync();
        _deadAtActivation = membership.CurrentSnapshot.DeadSilos();
        this.RegisterGrainTimer(async () =>
        {
            // Batches come one-way: those sent to or from a silo that died may be lost, and no reader would know.
            // A new epoch tells every reader to reload the jobs' stored events. It starts here, in place, rather than
            // by deactivating: a new activation would know no watcher until each front end renewed its lease.
            var dead = membership.CurrentSnapshot.DeadSilos();
            if (dead.Except(_deadAtActivation).Any())
            {
                _deadAtActivation = dead;
                await StartEpochAsync();

                // An empty batch: each watching front end asks for what follows its last id and learns the new epoch
                // now, not with the next job's event (there may be none for a while).
                _watchers.Send(PipelineFeed.AllJobs, []);
            }
        }, new GrainTimerCreationOptions(MembershipCheck, MembershipCheck));
    }

    /// <summary>Takes a new stored epoch and forgets what the previous one numbered: its readers are told to reload.</summary>
    private async Task StartEpochAsync()
    {
        store.State.Epoch++;
        await store.WriteStateAsync();
        _last = store.State.Epoch << PipelineFeed.EpochShift;
        _recent.Clear();
        _lastPerJob.Clear();
        _finishedHere.Clear();
    }

    public async Task Publish(string jobId, PipelineEvent[] events)
    {
        var fresh = events;
        // A job this activation has not heard of whose batch does not start at its first event: its earlier batches
        // went to an activation that was lost with its silo (one-way messages), or to the one before this, whose
        // readers were told to reload. Numbering its whole stored history again is the one way to be sure none is missing.
        var seen = _lastPerJob.TryGetValue(jobId, out var last) ? last : _finishedHere.Contains(jobId) ? long.MaxValue : 0;
        if (seen != long.MaxValue)
        {
            fresh = events.Where(e => e.Id > seen).ToArray();
            if (fresh.Length > 0 && fresh[0].Id != seen + 1)
            {
                // A batch overtook another (or was lost): the job stored everything before sending it.
                try
                {
                    fresh = (await GrainFactory.GetGrain<IPipelineJobEventsGrain>(jobId).GetEventsAfter(seen, PipelineJobEventsGrain.MaxStoredEvents)).Events;
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    logger.LogWarning(ex, "Could not fill a gap in the events of job {Job}; passing on what arrived", jobId);
                }
            }
        }

        if (fresh.Length == 0)
        {
            return;
        }

        var numbered = new PipelineEvent[fresh.Length];
        for (var i = 0; i < fresh.Length; i++)
        {
            numbered[i] = fresh[i] with { JobId = jobId, Seq = ++_last };
            _recent.Enqueue(numbered[i]);
        }

        while (_recent.Count > Capacity)
        {
            _recent.Dequeue();
        }

        if (JobStatus.IsTerminal(fresh[^1].Status))
        {
            // A finished job sends nothing more (short of a patch applied later, which is then passed on as it comes).
            _lastPerJob.Remove(jobId);
            if (_finishedHere.Count >= Capacity)
            {
                // Bounded: forgetting only means a patch applied to a long-finished job is passed on with its history.
                _finishedHere.Clear();
            }

            _finishedHere.Add(jobId);
        }
        else
        {
            _lastPerJob[jobId] = fresh[^1].Id;
        }

        _watchers.Send(PipelineFeed.AllJobs, numbered);
    }

    public Task<EventBatch> GetEventsAfter(long afterId, int limit) => Task.FromResult(After(afterId, limit));

    public Task<EventBatch> Watch(IPipelineJobObserver observer, long afterId)
    {
        _watchers.Renew(observer);
        return Task.FromResult(After(afterId, Capacity));
    }

    private EventBatch After(long afterId, int limit)
    {
        var events = _recent.Where(e => e.Seq > afterId).Take(Math.Clamp(limit, 1, Capacity)).ToArray();
        var floor = _recent.Count > 0 ? _recent.Peek().Seq - 1 : _last;
        return new EventBatch(events, _last, true, floor);
    }

    [GenerateSerializer, Alias("OrbitGrains.Pipeline.PipelineFeedGrain.State")]
    public sealed class State
    {
        [Id(0)] public long Epoch { get; set; }
    }
}
