using System.Threading.Channels;
using OrbitGrains.Hosting;
using OrbitGrains.WebFrontend.Hosting;
using OrbitGrains.Pipeline;

namespace OrbitGrains.WebFrontend.Pipeline;

/// <summary>
/// This silo's single point of contact with job events. It registers one observer per watched source (a job, or
/// the all-jobs feed under the key <see cref="PipelineFeed.AllJobs"/>), however many SSE clients watch it here, and
/// copies each event into every local subscriber's bounded channel. Events are delivered in id order without
/// duplicates: a batch that skips ids (a lost or overtaken message) is filled from the source's stored events first.
/// Renewals every lease period keep the registration alive and fill any gap left when the source moved to another
/// silo. So the all-jobs streams of a front end cost one feed message per event batch, whatever the number of jobs
/// or streams. When cluster membership declares a silo dead, every watch is renewed at once rather than at the next
/// period: a source that lived there came back elsewhere knowing no watcher, and events would otherwise wait for the
/// renewal (up to <see cref="RenewEvery"/>).
/// </summary>
public sealed class PipelineEventHub : BackgroundService, IPipelineJobObserver
{
    public const int SubscriberCapacity = 512;
    public static readonly TimeSpan RenewEvery = TimeSpan.FromSeconds(30);

    private readonly object _gate = new();
    private readonly Dictionary<string, Topic> _topics = new(StringComparer.Ordinal);
    private static readonly TimeSpan RetryAfterDeath = TimeSpan.FromSeconds(1);
    private const int RetriesAfterDeath = 30;

    private readonly IGrainFactory _grains;
    private readonly IClusterMembershipService _membership;
    private readonly ILogger<PipelineEventHub> _logger;
    private IPipelineJobObserver? _reference;
    private int _subscribers;

    public PipelineEventHub(IGrainFactory grains, IClusterMembershipService membership, ILogger<PipelineEventHub> logger, IHostApplicationLifetime lifetime)
    {
        _grains = grains;
        _membership = membership;
        _logger = logger;

        // Stopping fires before the server starts waiting for open requests: streams are ended, not left to time out,
        // and clients reconnect (to another front end, with Last-Event-ID).
        lifetime.ApplicationStopping.Register(EndAll);
    }

    public int ActiveSubscribers => Volatile.Read(ref _subscribers);

    public int WatchedJobs
    {
        get
        {
            lock (_gate)
            {
                return _topics.Count;
            }
        }
    }

    /// <summary>How many local streams follow a source (a job id, or <see cref="PipelineFeed.AllJobs"/>); all share one registration.</summary>
    public int SubscribersOf(string key)
    {
        lock (_gate)
        {
            if (!_topics.TryGetValue(key, out var topic))
            {
                return 0;
            }

            lock (topic.Subscribers)
            {
                return topic.Subscribers.Count;
            }
        }
    }

    /// <summary>A live feed of the source's events from now on, or null when the job does not exist.</summary>
    /// <param name="jobId">A job id, or <see cref="PipelineFeed.AllJobs"/> for every job's events.</param>
    public async Task<Subscription?> SubscribeAsync(string jobId)
    {
        Topic topic;
        Subscription subscription;
        lock (_gate)
        {
            if (!_topics.TryGetValue(jobId, out topic!))
            {
                topic = new Topic(jobId);
                _topics[jobId] = topic;
            }

            subscription = new Subscription(this, topic);
            topic.Subscribers.Add(subscription);
            topic.Registration ??= RegisterAsync(topic);
        }

        Interlocked.Increment(ref _subscribers);
        bool exists;
        try
        {
            exists = await topic.Registration;
        }
        catch
        {
            subscription.Dispose();
            throw;
        }

        if (!exists)
        {
            subscription.Dispose();
            return null;
        }

        return subscription;
    }

    Task IPipelineJobObserver.OnEvents(string jobId, PipelineEvent[] events)
    {
        Topic? topic;
        lock (_gate)
        {
            _topics.TryGetValue(jobId, out topic);
        }

        return topic is null ? Task.CompletedTask : DeliverAsync(topic, events);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(RenewPeriodicallyAsync(stoppingToken), RenewOnSiloDeathAsync(stoppingToken));

    private async Task RenewPeriodicallyAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(RenewEvery);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await RenewAllAsync(Topics());
        }
    }

    private async Task RenewOnSiloDeathAsync(CancellationToken stoppingToken)
    {
        await foreach (var _ in _membership.WatchSiloDeaths(stoppingToken))
        {
            // Right after a death the cluster may still be settling (placement, directory): retry what failed, briefly.
            var pending = Topics();
            for (var attempt = 0; pending.Count > 0 && attempt < RetriesAfterDeath && !stoppingToken.IsCancellationRequested; attempt++)
            {
                if (attempt > 0)
                {
                    await Task.Delay(RetryAfterDeath, stoppingToken);
                }

                pending = await RenewAllAsync(pending);
            }
        }
    }

    private List<Topic> Topics()
    {
        lock (_gate)
        {
            return [.. _topics.Values];
        }
    }

    /// <summary>Renews each topic's watch; the topics whose renewal failed (logged).</summary>
    private async Task<List<Topic>> RenewAllAsync(IEnumerable<Topic> topics)
    {
        var failed = new List<Topic>();
        foreach (var topic in topics)
        {
            try
            {
                await RenewAsync(topic);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                _logger.LogWarning(ex, "Renewing the watch of job {Job} failed; retrying", topic.JobId);
                failed.Add(topic);
            }
        }

        return failed;
    }

    private void EndAll()
    {
        Subscription[] subscriptions;
        lock (_gate)
        {
            subscriptions = _topics.Values.SelectMany(topic =>
            {
                lock (topic.Subscribers)
                {
                    return topic.Subscribers.ToArray();
                }
            }).ToArray();
        }

        foreach (var subscription in subscriptions)
        {
            subscription.End();
        }
    }

    private async Task<bool> RegisterAsync(Topic topic)
    {
        await topic.Lock.WaitAsync();
        try
        {
            // No past events: each subscriber replays what it needs itself; the hub only carries what happens from now on.
            var batch = await Source(topic.JobId).Watch(Reference, long.MaxValue);
            topic.LastId = batch.LastEventId;
            if (!batch.Exists)
            {
                Remove(topic);
            }

            return batch.Exists;
        }
        catch
        {
            Remove(topic);
            throw;
        }
        finally
        {
            topic.Lock.Release();
        }
    }

    private async Task RenewAsync(Topic topic)
    {
        await topic.Lock.WaitAsync();
        try
        {
            var batch = await Source(topic.JobId).Watch(Reference, topic.LastId);
            Publish(topic, batch.Events);
            NoteNewEpoch(topic, batch.LastEventId);
        }
        finally
        {
            topic.Lock.Release();
        }
    }

    private async Task DeliverAsync(Topic topic, PipelineEvent[] events)
    {
        await topic.Lock.WaitAsync();
        try
        {
            var fresh = events.Where(e => e.StreamId > topic.LastId).OrderBy(e => e.StreamId).ToArray();
            if (events.Length == 0 || (fresh.Length > 0 && fresh[0].StreamId != topic.LastId + 1))
            {
                // Events were kept before they were sent, so the source can always give back what we skipped. An empty
                // batch is the source asking us to look (the feed started a new epoch).
                var batch = await Source(topic.JobId).GetEventsAfter(topic.LastId, PipelineJobEventsGrain.MaxStoredEvents);
                Publish(topic, batch.Events);
                NoteNewEpoch(topic, batch.LastEventId);
                return;
            }

            Publish(topic, fresh);
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "Delivering events of job {Job} failed; the next renewal fills the gap", topic.JobId);
        }
        finally
        {
            topic.Lock.Release();
        }
    }

    /// <summary>
    /// The all-jobs feed reported a newest id of a later epoch than any event passed on, with no event of it yet:
    /// streams are told to reload now rather than with the next event, which may be long in coming.
    /// </summary>
    private static void NoteNewEpoch(Topic topic, long lastEventId)
    {
        if (lastEventId > topic.LastId && CrossesFeedRestart(topic, lastEventId))
        {
            OfferReset(topic, lastEventId);
            topic.LastId = lastEventId;
        }
    }

    private static void OfferReset(Topic topic, long id)
    {
        var reset = new SseFrame(id, PipelineEventStream.EncodeReset(id,
            "The all-jobs feed restarted and events may have been missed; reload the current state, live events follow."));
        foreach (var subscriber in Subscribers(topic))
        {
            subscriber.Offer(reset);
        }
    }

    private static Subscription[] Subscribers(Topic topic)
    {
        lock (topic.Subscribers)
        {
            return topic.Subscribers.ToArray();
        }
    }

    private static void Publish(Topic topic, IReadOnlyList<PipelineEvent> events)
    {
        if (events.Count == 0)
        {
            return;
        }

        var subscribers = Subscribers(topic);
        foreach (var e in events)
        {
            if (e.StreamId <= topic.LastId)
            {
                continue;
            }

            if (CrossesFeedRestart(topic, e.StreamId))
            {
                // The feed numbers from a new epoch (it was activated again, or started one after a silo's death).
                // Events the jobs sent to the old epoch may never have been numbered: say so, as a reconnect with an
                // id of an earlier epoch is told, instead of carrying on as if nothing were missing.
                OfferReset(topic, e.StreamId - 1);
            }

            topic.LastId = e.StreamId;

            // Encoded once here rather than once per client: a burst of events on a watched job is otherwise
            // thousands of identical serialisations.
            var live = new SseFrame(e.StreamId, PipelineEventStream.EncodeEvent(e));
            foreach (var subscriber in subscribers)
            {
                subscriber.Offer(live);
            }
        }
    }

    /// <summary>True when an all-jobs event comes from another epoch of the feed than the last one passed on (ids: epoch &lt;&lt; 32 + n).</summary>
    private static bool CrossesFeedRestart(Topic topic, long streamId) =>
        topic.JobId == PipelineFeed.AllJobs && topic.LastId > 0
        && streamId >> PipelineFeed.EpochShift != topic.LastId >> PipelineFeed.EpochShift;

    private void Leave(Subscription subscription)
    {
        Interlocked.Decrement(ref _subscribers);
        var topic = subscription.Topic;
        lock (_gate)
        {
            lock (topic.Subscribers)
            {
                topic.Subscribers.Remove(subscription);
                if (topic.Subscribers.Count > 0)
                {
                    return;
                }
            }

            // The job's lease on our observer simply runs out; see IPipelineEventSource.Watch.
            if (_topics.TryGetValue(topic.JobId, out var current) && ReferenceEquals(current, topic))
            {
                _topics.Remove(topic.JobId);
            }
        }
    }

    private void Remove(Topic topic)
    {
        lock (_gate)
        {
            if (_topics.TryGetValue(topic.JobId, out var current) && ReferenceEquals(current, topic))
            {
                _topics.Remove(topic.JobId);
            }
        }
    }

    private IPipelineJobObserver Reference
    {
        get
        {
            // Created on first use: the silo (and with it object references) only exists once the host has started.
            lock (_gate)
            {
                return _reference ??= _grains.CreateObjectReference<IPipelineJobObserver>(this);
            }
        }
    }

    private IPipelineEventSource Source(string key) => key == PipelineFeed.AllJobs
        ? _grains.GetGrain<IPipelineFeedGrain>(PipelineFeed.Key)
        : _grains.GetGrain<IPipelineJobEventsGrain>(key);

    public sealed class Topic(string jobId)
    {
        public string JobId { get; } = jobId;
        public List<Subscription> Subscribers { get; } = [];
        public SemaphoreSlim Lock { get; } = new(1, 1);
        public Task<bool>? Registration { get; set; }
        public long LastId { get; set; }
    }

    /// <summary>One SSE client's feed. A client that falls <see cref="SubscriberCapacity"/> events behind is cut off (it reconnects with Last-Event-ID).</summary>
    public sealed class Subscription : IDisposable
    {
        private readonly PipelineEventHub _hub;
        private readonly Channel<SseFrame> _channel = Channel.CreateBounded<SseFrame>(
            new BoundedChannelOptions(SubscriberCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        private int _disposed;

        internal Subscription(PipelineEventHub hub, Topic topic)
        {
            _hub = hub;
            Topic = topic;
        }

        internal Topic Topic { get; }

        public ChannelReader<SseFrame> Reader => _channel.Reader;

        public bool Overflowed { get; private set; }

        internal void Offer(SseFrame e)
        {
            if (!_channel.Writer.TryWrite(e))
            {
                Overflowed = true;
                _channel.Writer.TryComplete();
            }
        }

        internal void End() => _channel.Writer.TryComplete();

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                _channel.Writer.TryComplete();
                _hub.Leave(this);
            }
        }
    }
}
