using System.Text.Json;
using System.Threading.Channels;
using OrbitGrains.Feeds;
using OrbitGrains.WebFrontend.Hosting;

namespace OrbitGrains.WebFrontend.Feeds;

/// <summary>
/// This front end's followers of people's live feeds: one stream subscription per connected user (held by that user's
/// <see cref="IUserFeedListenerGrain"/> on this silo), however many connections the user has here, and each entry
/// encoded once and copied into every local connection's bounded channel. Entries go out in id order without
/// duplicates; a gap (a stream item lost or overtaken) is filled from the feed grain, and renewals every
/// <see cref="RenewEvery"/> keep the subscription and fill any gap left while the feed moved.
/// </summary>
public sealed class UserFeedHub : BackgroundService, IUserFeedSink
{
    public const int SubscriberCapacity = 256;
    public static readonly TimeSpan RenewEvery = TimeSpan.FromSeconds(30);

    private readonly object _gate = new();
    private readonly Dictionary<string, Topic> _topics = new(StringComparer.Ordinal);
    private readonly IGrainFactory _grains;
    private readonly ILogger<UserFeedHub> _logger;
    private int _subscribers;

    public UserFeedHub(IGrainFactory grains, ILocalSiloDetails silo, ILogger<UserFeedHub> logger, IHostApplicationLifetime lifetime)
    {
        _grains = grains;
        _logger = logger;
        SiloKey = silo.SiloAddress.ToParsableString();

        // Streams end when the server starts stopping; clients reconnect (to another front end) with Last-Event-ID.
        lifetime.ApplicationStopping.Register(EndAll);
    }

    public string SiloKey { get; }

    public int ActiveSubscribers => Volatile.Read(ref _subscribers);

    /// <summary>How many users this front end follows (one stream subscription each).</summary>
    public int FollowedUsers
    {
        get
        {
            lock (_gate)
            {
                return _topics.Count;
            }
        }
    }

    public bool Follows(string userId)
    {
        lock (_gate)
        {
            return _topics.ContainsKey(userId);
        }
    }

    /// <summary>A live feed of the user's entries from now on, and the newest id the feed had when it started.</summary>
    public async Task<Subscription> SubscribeAsync(string userId)
    {
        Topic topic;
        Subscription subscription;
        lock (_gate)
        {
            if (!_topics.TryGetValue(userId, out topic!))
            {
                topic = new Topic(userId);
                _topics[userId] = topic;
            }

            subscription = new Subscription(this, topic);
            lock (topic.Subscribers)
            {
                topic.Subscribers.Add(subscription);
            }

            topic.Registration ??= RegisterAsync(topic);
        }

        Interlocked.Increment(ref _subscribers);
        try
        {
            await topic.Registration;
        }
        catch
        {
            subscription.Dispose();
            throw;
        }

        return subscription;
    }

    public async Task Deliver(string userId, UserFeedEvent entry)
    {
        Topic? topic;
        lock (_gate)
        {
            _topics.TryGetValue(userId, out topic);
        }

        if (topic is null)
        {
            return;
        }

        await topic.Lock.WaitAsync();
        try
        {
            UserFeedEvent[] fresh = [entry];
            if (entry.Id <= topic.LastId)
            {
                return;
            }

            if (entry.Id != topic.LastId + 1 && topic.LastId != 0 && SameEpoch(entry.Id, topic.LastId))
            {
                // The feed kept what it sent: take the missing entries from it.
                fresh = (await Feed(userId).After(topic.LastId, UserFeed.Capacity)).Events;
            }

            Publish(topic, fresh);
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "Delivering a feed entry failed; the next renewal fills the gap");
        }
        finally
        {
            topic.Lock.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(RenewEvery);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            Topic[] topics;
            lock (_gate)
            {
                topics = _topics.Values.ToArray();
            }

            foreach (var topic in topics)
            {
                try
                {
                    await RenewAsync(topic);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    _logger.LogWarning(ex, "Renewing a user feed subscription failed; retrying on the next round");
                }
            }
        }
    }

    /// <summary>The frame of an entry: its id, and data {id, type, data, at}.</summary>
    public static byte[] Encode(UserFeedEvent entry)
    {
        using var data = JsonDocument.Parse(entry.Data);
        return ServerSentEvents.Encode(entry.Id, JsonSerializer.Serialize(new { id = entry.Id, type = entry.Type, data = data.RootElement, at = entry.At }));
    }

    private static bool SameEpoch(long a, long b) => a >> UserFeed.EpochShift == b >> UserFeed.EpochShift;

    private IUserFeedGrain Feed(string userId) => _grains.GetGrain<IUserFeedGrain>(userId);

    private IUserFeedListenerGrain Listener(string userId) =>
        _grains.GetGrain<IUserFeedListenerGrain>(UserFeedListenerGrain.KeyOf(SiloKey, userId));

    private async Task RegisterAsync(Topic topic)
    {
        await topic.Lock.WaitAsync();
        try
        {
            // Subscribed first, then the feed's newest id read: entries after it arrive live (or fill in as a gap).
            await Listener(topic.UserId).Listen();
            topic.LastId = Math.Max(topic.LastId, (await Feed(topic.UserId).After(long.MaxValue, 1)).LastId);
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
        await Listener(topic.UserId).Listen();
        await topic.Lock.WaitAsync();
        try
        {
            var batch = await Feed(topic.UserId).After(topic.LastId, UserFeed.Capacity);
            Publish(topic, batch.Events);
        }
        finally
        {
            topic.Lock.Release();
        }
    }

    private static void Publish(Topic topic, IReadOnlyList<UserFeedEvent> entries)
    {
        Subscription[] subscribers;
        lock (topic.Subscribers)
        {
            subscribers = topic.Subscribers.ToArray();
        }

        foreach (var entry in entries)
        {
            if (entry.Id <= topic.LastId)
            {
                continue;
            }

            topic.LastId = entry.Id;
            var frame = new SseFrame(entry.Id, Encode(entry));
            foreach (var subscriber in subscribers)
            {
                subscriber.Offer(frame);
            }
        }
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

            if (!_topics.TryGetValue(topic.UserId, out var current) || !ReferenceEquals(current, topic))
            {
                return;
            }

            _topics.Remove(topic.UserId);
        }

        _ = StopAsync(topic.UserId);
    }

    private async Task StopAsync(string userId)
    {
        try
        {
            if (!Follows(userId))
            {
                await Listener(userId).Stop();
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The listener ends its subscription itself at its next delivery (nobody here follows the user).
            _logger.LogDebug(ex, "Stopping a user feed listener failed");
        }
    }

    private void Remove(Topic topic)
    {
        lock (_gate)
        {
            if (_topics.TryGetValue(topic.UserId, out var current) && ReferenceEquals(current, topic))
            {
                _topics.Remove(topic.UserId);
            }
        }
    }

    public sealed class Topic(string userId)
    {
        public string UserId { get; } = userId;
        public List<Subscription> Subscribers { get; } = [];
        public SemaphoreSlim Lock { get; } = new(1, 1);
        public Task? Registration { get; set; }
        public long LastId { get; set; }
    }

    /// <summary>One connection's feed. A connection that falls <see cref="SubscriberCapacity"/> entries behind is ended (it reconnects with Last-Event-ID).</summary>
    public sealed class Subscription : IDisposable
    {
        private readonly UserFeedHub _hub;
        private readonly Channel<SseFrame> _channel = Channel.CreateBounded<SseFrame>(
            new BoundedChannelOptions(SubscriberCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        private int _disposed;

        internal Subscription(UserFeedHub hub, Topic topic)
        {
            _hub = hub;
            Topic = topic;
        }

        internal Topic Topic { get; }

        public ChannelReader<SseFrame> Reader => _channel.Reader;

        internal void Offer(SseFrame frame)
        {
            if (!_channel.Writer.TryWrite(frame))
            {
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
