using Orleans.Concurrency;

namespace OrbitGrains.Feeds;

/// <summary>
/// A person's live feed [user id]: numbers what the person's grains publish (agents' events, inbox changes, spend,
/// later Cloud instance state), keeps the newest <see cref="UserFeed.Capacity"/> for Last-Event-ID replay and passes
/// each entry to the front ends watching it (one one-way call per front end, whatever its number of connections).
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

    /// <summary>
    /// Registers (or renews) the observer of the front end on <paramref name="silo"/> for <see cref="UserFeed.Lease"/>,
    /// and returns the entries after <paramref name="afterId"/> it kept, so a renewal after the feed moved fills the gap.
    /// </summary>
    /// <remarks>
    /// There is no unwatch: a front end that stops renewing is dropped when its lease runs out, or at once when
    /// cluster membership declares its silo dead. An explicit removal could overtake a newer registration and silence it.
    /// </remarks>
    [Alias("Watch")]
    Task<UserFeedBatch> Watch(SiloAddress silo, IUserFeedObserver observer, long afterId);
}

/// <summary>A front end's hub, watching people's feeds for the connections it holds.</summary>
[Alias("OrbitGrains.Feeds.IUserFeedObserver")]
public interface IUserFeedObserver : IGrainObserver
{
    /// <summary>
    /// New entries of <paramref name="userId"/>'s feed, oldest first. Empty: the feed started a new epoch or is going
    /// away; the hub renews its watch at once and learns the new epoch.
    /// </summary>
    [OneWay, Alias("OnEntries")]
    Task OnEntries(string userId, UserFeedEvent[] entries);
}
