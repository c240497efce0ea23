using Orleans.Concurrency;

namespace OrbitGrains.Feeds;

/// <summary>
/// A person's live feed [user id]: numbers what the person's grains publish (agents' events, inbox changes, spend,
/// later Cloud instance state), keeps the newest <see cref="UserFeed.Capacity"/> for Last-Event-ID replay and sends each
/// entry on the Orleans stream <see cref="UserFeed.StreamNamespace"/>/{user id}, which front ends follow.
/// </summary>
[Alias("OrbitGrains.Feeds.IUserFeedGrain")]
public interface IUserFeedGrain : IGrainWithStringKey
{
    /// <summary>Adds an entry; <paramref name="data"/> is a JSON object. One-way: a publisher never waits for the feed.</summary>
    [OneWay, Alias("Publish")]
    Task Publish(string type, string data);

    /// <summary>Entries after <paramref name="afterId"/> (at most <paramref name="limit"/>), oldest first.</summary>
    [Alias("After")]
    Task<UserFeedBatch> After(long afterId, int limit);
}

/// <summary>
/// The follower of one user's feed stream on one silo [silo address + "|" + user id], placed on that silo: it holds the
/// stream subscription and hands each entry to the silo's <see cref="IUserFeedSink"/>, so a front end subscribes once per
/// connected user however many connections that user has there.
/// </summary>
[Alias("OrbitGrains.Feeds.IUserFeedListenerGrain")]
public interface IUserFeedListenerGrain : IGrainWithStringKey
{
    /// <summary>Subscribes (or keeps the subscription); the hub calls it when it starts following and then to renew.</summary>
    [Alias("Listen")]
    Task Listen();

    /// <summary>Ends the subscription: nobody on this silo follows the user any more.</summary>
    [Alias("Stop")]
    Task Stop();
}

/// <summary>Where a silo's feed listeners deliver: the front end's hub. A silo without one (headless) drops the entries.</summary>
public interface IUserFeedSink
{
    /// <summary>The silo address this sink serves, as in the listener's key.</summary>
    string SiloKey { get; }

    /// <summary>True while any connection on this silo follows the user.</summary>
    bool Follows(string userId);

    Task Deliver(string userId, UserFeedEvent entry);
}
