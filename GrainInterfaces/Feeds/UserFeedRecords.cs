namespace OrbitGrains.Feeds;

/// <summary>
/// One entry of a person's live feed: what happened (<paramref name="Type"/>, e.g. `agent_event`, `inbox`, `spend`),
/// its details as a JSON object (<paramref name="Data"/>, camelCase), and its id. Ids increase by one per user feed;
/// they are (epoch &lt;&lt; 32) + n, so an id from before the feed moved or restarted is known to be older than every
/// id given since (<see cref="UserFeed.EpochShift"/>).
/// </summary>
[GenerateSerializer, Immutable, Alias("OrbitGrains.Feeds.UserFeedEvent")]
public sealed record UserFeedEvent(
    [property: Id(0)] long Id,
    [property: Id(1)] string Type,
    [property: Id(2)] string Data,
    [property: Id(3)] DateTimeOffset At);

/// <summary>
/// Feed entries after an id, oldest first, with the newest id given (<paramref name="LastId"/>) and the id just below
/// the oldest entry still kept (<paramref name="FloorId"/>): a reader whose id is below the floor has missed entries.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrbitGrains.Feeds.UserFeedBatch")]
public sealed record UserFeedBatch(
    [property: Id(0)] UserFeedEvent[] Events,
    [property: Id(1)] long LastId,
    [property: Id(2)] long FloorId);

/// <summary>Names shared by the feed's publishers, its grain and the front ends that follow it.</summary>
public static class UserFeed
{
    /// <summary>Entries a feed keeps for Last-Event-ID replay.</summary>
    public const int Capacity = 1000;

    /// <summary>See <see cref="UserFeedEvent"/>: ids stay below 2^53, so JavaScript reads them exactly.</summary>
    public const int EpochShift = 32;

    /// <summary>How long a front end's watch lasts without renewal (hubs renew every 30 s).</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);
}
