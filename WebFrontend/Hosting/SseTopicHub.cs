using System.Threading.Channels;
using OrbitGrains.Hosting;

namespace OrbitGrains.WebFrontend.Hosting;

/// <summary>What a topic's source answers a watch or a read: entries after an id (oldest first), its newest id, and whether the topic exists.</summary>
/// <param name="LastId">The newest id the source has given (0 when none).</param>
public readonly record struct TopicBatch<TEntry>(IReadOnlyList<TEntry> Entries, long LastId, bool Exists = true);

/// <summary>
/// A front end's single point of contact with a family of live sources (a pipeline job, the all-jobs feed, a person's
/// feed): one grain observer registered with each watched source under a lease, however many Server-Sent Events
/// connections follow it here, each entry encoded once and copied into every local connection's bounded channel.
/// Entries go out in id order without duplicates: a batch that skips ids (a one-way message lost or overtaken) is
/// filled from the source first, which keeps what it sent. An empty batch is the source asking to be looked at again
/// (it started a new epoch, or is going away): the watch is renewed at once. Renewals every <see cref="RenewEvery"/>
/// keep the lease and fill any gap left while a source moved; when cluster membership declares a silo dead, every
/// watch is renewed at once, because a source that lived there came back elsewhere knowing no watcher.
/// For sources numbered <c>(epoch &lt;&lt; shift) + n</c>, an entry or newest id of another epoch than the last one
/// passed on gives the connections a reset frame first: the earlier epoch's unsent entries may never come.
/// </summary>
/// <typeparam name="TEntry">The source's entry; <see cref="IdOf"/> gives its id (increasing by one per entry within an epoch).</typeparam>
public abstract class SseTopicHub<TEntry> : BackgroundService
{
    /// <summary>How often every watch is renewed (the sources' leases are longer).</summary>
    public static readonly TimeSpan RenewEvery = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan RetryAfterDeath = TimeSpan.FromSeconds(1);
    private const int RetriesAfterDeath = 30;

    private readonly object _gate = new();
    private readonly Dictionary<string, Topic> _topics = new(StringComparer.Ordinal);
    private readonly IClusterMembershipService _membership;
    private readonly ILogger _logger;
    private readonly int _subscriberCapacity;
    private int _subscribers;

    /// <param name="subscriberCapacity">Frames a connection may fall behind before it is ended (it reconnects with Last-Event-ID).</param>
    protected SseTopicHub(IClusterMembershipService membership, ILogger logger, IHostApplicationLifetime lifetime, int subscriberCapacity)
    {
        _membership = membership;
        _logger = logger;
        _subscriberCapacity = subscriberCapacity;

        // Stopping fires before the server starts waiting for open requests: streams are ended, not left to time out,
        // and clients reconnect (to another front end, with Last-Event-ID).
        lifetime.ApplicationStopping.Register(EndAll);
    }

    /// <summary>Open connections on this front end, over all topics.</summary>
    public int ActiveSubscribers => Volatile.Read(ref _subscribers);

    /// <summary>Topics this front end watches (one registration each).</summary>
    public int WatchedTopics
    {
        get
        {
            lock (_gate)
            {
                return _topics.Count;
            }
        }
    }

    /// <summary>How many local connections follow a topic; all share one registration.</summary>
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

    /// <summary>A live feed of the topic's entries from now on, or null when its source says it does not exist.</summary>
    public async Task<Subscription?> SubscribeAsync(string key)
    {
        Topic topic;
        Subscription subscription;
        lock (_gate)
        {
            if (!_topics.TryGetValue(key, out topic!))
            {
                topic = new Topic(key);
                _topics[key] = topic;
            }

            subscription = new Subscription(this, topic, _subscriberCapacity);
            lock (topic.Subscribers)
            {
                topic.Subscribers.Add(subscription);
            }

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

    /// <summary>Registers (or renews) this front end's observer with the topic's source; entries after <paramref name="afterId"/> it kept.</summary>
    protected abstract Task<TopicBatch<TEntry>> WatchAsync(string key, long afterId);

    /// <summary>Entries after <paramref name="afterId"/> the topic's source kept, without registering.</summary>
    protected abstract Task<TopicBatch<TEntry>> ReadAfterAsync(string key, long afterId);

    protected abstract long IdOf(TEntry entry);

    /// <summary>An entry's complete frame, encoded once for every connection.</summary>
    protected abstract byte[] Encode(TEntry entry);

    /// <summary>The epoch shift of the topic's ids, or null when its ids have no epoch (they never restart).</summary>
    protected abstract int? EpochShiftOf(string key);

    /// <summary>The reset frame sent when a topic's source started a new epoch; entries after <paramref name="id"/> follow live.</summary>
    protected abstract byte[] EncodeReset(string key, long id);

    /// <summary>Passes a batch the topic's source sent (the observer's one-way call); an empty batch renews the watch.</summary>
    protected Task DeliverAsync(string key, IReadOnlyList<TEntry> entries)
    {
        Topic? topic;
        lock (_gate)
        {
            _topics.TryGetValue(key, out topic);
        }

        return topic is null ? Task.CompletedTask : DeliverAsync(topic, entries);
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
                _logger.LogWarning(ex, "Renewing the watch of {Topic} failed; retrying", topic.Key);
                failed.Add(topic);
            }
        }

        return failed;
    }

    private void EndAll()
    {
        foreach (var subscription in Topics().SelectMany(Subscribers))
        {
            subscription.End();
        }
    }

    private async Task<bool> RegisterAsync(Topic topic)
    {
        await topic.Lock.WaitAsync();
        try
        {
            // No past entries: each connection replays what it needs itself; the hub only carries what happens from now on.
            var batch = await WatchAsync(topic.Key, long.MaxValue);
            topic.LastId = batch.LastId;
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
            var batch = await WatchAsync(topic.Key, topic.LastId);
            Publish(topic, batch.Entries);
            NoteNewEpoch(topic, batch.LastId);
        }
        finally
        {
            topic.Lock.Release();
        }
    }

    private async Task DeliverAsync(Topic topic, IReadOnlyList<TEntry> entries)
    {
        await topic.Lock.WaitAsync();
        try
        {
            if (entries.Count == 0)
            {
                // The source asks to be looked at: it started a new epoch, or is going away and its next activation
                // will (and will only know the watchers that renew).
                var batch = await WatchAsync(topic.Key, topic.LastId);
                Publish(topic, batch.Entries);
                NoteNewEpoch(topic, batch.LastId);
                return;
            }

            var fresh = entries.Where(e => IdOf(e) > topic.LastId).OrderBy(IdOf).ToArray();
            if (fresh.Length > 0 && IdOf(fresh[0]) != topic.LastId + 1)
            {
                // Entries were kept before they were sent, so the source can give back what we skipped.
                var batch = await ReadAfterAsync(topic.Key, topic.LastId);
                Publish(topic, batch.Entries);
                NoteNewEpoch(topic, batch.LastId);
                return;
            }

            Publish(topic, fresh);
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "Delivering entries of {Topic} failed; the next renewal fills the gap", topic.Key);
        }
        finally
        {
            topic.Lock.Release();
        }
    }

    /// <summary>
    /// The source reported a newest id of a later epoch than any entry passed on, with no entry of it yet: connections
    /// are told to reload now rather than with the next entry, which may be long in coming.
    /// </summary>
    private void NoteNewEpoch(Topic topic, long lastId)
    {
        if (lastId > topic.LastId && CrossesEpoch(topic, lastId))
        {
            OfferReset(topic, lastId);
            topic.LastId = lastId;
        }
    }

    private void OfferReset(Topic topic, long id)
    {
        var reset = new SseFrame(id, EncodeReset(topic.Key, id));
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

    private void Publish(Topic topic, IReadOnlyList<TEntry> entries)
    {
        if (entries.Count == 0)
        {
            return;
        }

        var subscribers = Subscribers(topic);
        foreach (var entry in entries)
        {
            var id = IdOf(entry);
            if (id <= topic.LastId)
            {
                continue;
            }

            if (CrossesEpoch(topic, id))
            {
                // Numbered by a new epoch (the source was activated again, or started one after a silo's death):
                // what was sent to the old one may never have been numbered. Say so, as a reconnect with an id of an
                // earlier epoch is told, instead of carrying on as if nothing were missing.
                OfferReset(topic, id - 1);
            }

            topic.LastId = id;

            // Encoded once here rather than once per connection: a burst is otherwise thousands of identical serialisations.
            var live = new SseFrame(id, Encode(entry));
            foreach (var subscriber in subscribers)
            {
                subscriber.Offer(live);
            }
        }
    }

    /// <summary>True when an id comes from another epoch of the topic's source than the last one passed on.</summary>
    private bool CrossesEpoch(Topic topic, long id) =>
        EpochShiftOf(topic.Key) is { } shift && topic.LastId > 0 && id >> shift != topic.LastId >> shift;

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

            // No unwatch: the source's lease on our observer simply runs out. An explicit removal could overtake a
            // newer registration of this front end and silence it.
            if (_topics.TryGetValue(topic.Key, out var current) && ReferenceEquals(current, topic))
            {
                _topics.Remove(topic.Key);
            }
        }
    }

    private void Remove(Topic topic)
    {
        lock (_gate)
        {
            if (_topics.TryGetValue(topic.Key, out var current) && ReferenceEquals(current, topic))
            {
                _topics.Remove(topic.Key);
            }
        }
    }

    /// <summary>One watched source on this front end and its local connections.</summary>
    public sealed class Topic(string key)
    {
        public string Key { get; } = key;
        internal List<Subscription> Subscribers { get; } = [];
        internal SemaphoreSlim Lock { get; } = new(1, 1);
        internal Task<bool>? Registration { get; set; }

        /// <summary>The newest id passed on to the connections.</summary>
        internal long LastId { get; set; }
    }

    /// <summary>One connection's live frames. A connection that falls the hub's capacity behind is ended (it reconnects with Last-Event-ID).</summary>
    public sealed class Subscription : IDisposable
    {
        private readonly SseTopicHub<TEntry> _hub;
        private readonly Channel<SseFrame> _channel;
        private int _disposed;

        internal Subscription(SseTopicHub<TEntry> hub, Topic topic, int capacity)
        {
            _hub = hub;
            Topic = topic;
            _channel = Channel.CreateBounded<SseFrame>(
                new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        }

        internal Topic Topic { get; }

        public ChannelReader<SseFrame> Reader => _channel.Reader;

        /// <summary>True once the connection fell too far behind and its channel was ended.</summary>
        public bool Overflowed { get; private set; }

        internal void Offer(SseFrame frame)
        {
            if (!_channel.Writer.TryWrite(frame))
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
