namespace OrbitGrains.WebFrontend.Hosting;

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
/// <remarks>
/// In parts: this file has the hub's surface and its topics' bookkeeping; SseTopicHub.Watch.cs keeps the sources'
/// registrations (first watch, renewals); SseTopicHub.Delivery.cs passes entries on in order; the nested Topic and
/// Subscription have files of their own.
/// </remarks>
public abstract partial class SseTopicHub<TEntry> : BackgroundService
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
}
