using System.Collections.Concurrent;
using System.Threading.Channels;
using Orleans.Concurrency;
using OrbitGrains.Feeds;
using OrbitGrains.WebFrontend.Feeds;
using OrbitGrains.WebFrontend.Hosting;

namespace OrbitGrains.Bench.FeedFanout;

/// <summary>
/// The observer-hub path, built as the relay builds its own (IUserRelayGrain and IRelayHub): a grain per user holds a
/// reference to each front end's hub that follows the user and calls it one-way with every entry; the hub hands the entry
/// to the user's connections. It keeps what the product's feed keeps (ids, the last entries), so the two paths do the
/// same work but for the transport between grain and front end: an Orleans stream there, an observer call here.
/// </summary>
[Alias("OrbitGrains.Bench.IObserverFeedGrain")]
public interface IObserverFeedGrain : IGrainWithStringKey
{
    [Alias("Follow")]
    Task Follow(IObserverFeedHub hub);

    [OneWay, Alias("Publish")]
    Task Publish(string type, string data);
}

/// <summary>A front end's hub as the grains see it (as IRelayHub).</summary>
[Alias("OrbitGrains.Bench.IObserverFeedHub")]
public interface IObserverFeedHub : IGrainObserver
{
    [OneWay, Alias("Deliver")]
    Task Deliver(string userId, UserFeedEvent entry);
}

public sealed class ObserverFeedGrain : Grain, IObserverFeedGrain
{
    private readonly Queue<UserFeedEvent> _recent = new();
    private readonly List<IObserverFeedHub> _hubs = [];
    private long _last;

    public Task Follow(IObserverFeedHub hub)
    {
        if (!_hubs.Contains(hub))
        {
            _hubs.Add(hub);
        }

        return Task.CompletedTask;
    }

    public Task Publish(string type, string data)
    {
        var entry = new UserFeedEvent(++_last, type, data, DateTimeOffset.UtcNow);
        _recent.Enqueue(entry);
        while (_recent.Count > UserFeed.Capacity)
        {
            _recent.Dequeue();
        }

        foreach (var hub in _hubs)
        {
            _ = hub.Deliver(this.GetPrimaryKeyString(), entry);
        }

        return Task.CompletedTask;
    }
}

/// <summary>The front end's side: one channel per connected user, fed with the frame the product's hub would write.</summary>
public sealed class ObserverFeedHub(IGrainFactory grains) : IObserverFeedHub
{
    private readonly ConcurrentDictionary<string, Channel<SseFrame>> _users = new();
    private IObserverFeedHub? _reference;

    public async Task<ChannelReader<SseFrame>> SubscribeAsync(string userId)
    {
        var channel = _users.GetOrAdd(userId, _ => Channel.CreateBounded<SseFrame>(
            new BoundedChannelOptions(UserFeedHub.SubscriberCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite }));
        _reference ??= grains.CreateObjectReference<IObserverFeedHub>(this);
        await grains.GetGrain<IObserverFeedGrain>(userId).Follow(_reference);
        return channel.Reader;
    }

    public Task Deliver(string userId, UserFeedEvent entry)
    {
        if (_users.TryGetValue(userId, out var channel))
        {
            channel.Writer.TryWrite(new SseFrame(entry.Id, UserFeedHub.Encode(entry)));
        }

        return Task.CompletedTask;
    }
}
