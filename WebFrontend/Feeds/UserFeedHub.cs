using System.Text.Json;
using OrbitGrains.Feeds;
using OrbitGrains.WebFrontend.Hosting;

namespace OrbitGrains.WebFrontend.Feeds;

/// <summary>
/// This front end's followers of people's live feeds (the <see cref="SseTopicHub{TEntry}"/> keyed by user id): one
/// observer watching each followed user's <see cref="IUserFeedGrain"/>, however many connections the user has here,
/// each entry encoded once for all of them. Entry ids carry the feed's epoch, so a feed that moved or restarted gives
/// the user's connections a reset frame.
/// </summary>
public sealed class UserFeedHub(IGrainFactory grains, ILocalSiloDetails silo, IClusterMembershipService membership, ILogger<UserFeedHub> logger,
    IHostApplicationLifetime lifetime) : SseTopicHub<UserFeedEvent>(membership, logger, lifetime, SubscriberCapacity), IUserFeedObserver
{
    public const int SubscriberCapacity = 256;

    private readonly object _referenceGate = new();
    private IUserFeedObserver? _reference;

    /// <summary>How many users this front end follows (one watch each).</summary>
    public int FollowedUsers => WatchedTopics;

    Task IUserFeedObserver.OnEntries(string userId, UserFeedEvent[] entries) => DeliverAsync(userId, entries);

    /// <summary>The frame of an entry: its id, and data {id, type, data, at}.</summary>
    public static byte[] EncodeEntry(UserFeedEvent entry)
    {
        using var data = JsonDocument.Parse(entry.Data);
        return ServerSentEvents.Encode(entry.Id, JsonSerializer.Serialize(new { id = entry.Id, type = entry.Type, data = data.RootElement, at = entry.At }));
    }

    /// <summary>A frame the stream itself writes (connected, heartbeat, reset): data {id, type, data, at}.</summary>
    public static byte[] EncodeFrame(long id, string type, object data) =>
        ServerSentEvents.Encode(id, JsonSerializer.Serialize(new { id, type, data, at = DateTimeOffset.UtcNow }));

    /// <summary>The reset frame: entries after <paramref name="id"/> follow live; what came before it may be missing.</summary>
    public static byte[] EncodeReset(long id, string message) => EncodeFrame(id, "reset", new { lastEventId = id, message });

    protected override async Task<TopicBatch<UserFeedEvent>> WatchAsync(string key, long afterId) =>
        Batch(await Feed(key).Watch(silo.SiloAddress, Reference, afterId));

    protected override async Task<TopicBatch<UserFeedEvent>> ReadAfterAsync(string key, long afterId) =>
        Batch(await Feed(key).After(afterId, UserFeed.Capacity));

    protected override long IdOf(UserFeedEvent entry) => entry.Id;

    protected override byte[] Encode(UserFeedEvent entry) => EncodeEntry(entry);

    protected override int? EpochShiftOf(string key) => UserFeed.EpochShift;

    protected override byte[] EncodeReset(string key, long id) =>
        EncodeReset(id, "The feed restarted and entries may have been missed; reload the current state, live entries follow.");

    private static TopicBatch<UserFeedEvent> Batch(UserFeedBatch batch) => new(batch.Events, batch.LastId);

    private IUserFeedGrain Feed(string userId) => grains.GetGrain<IUserFeedGrain>(userId);

    private IUserFeedObserver Reference
    {
        get
        {
            // Created on first use: the silo (and with it object references) only exists once the host has started.
            lock (_referenceGate)
            {
                return _reference ??= grains.CreateObjectReference<IUserFeedObserver>(this);
            }
        }
    }
}
