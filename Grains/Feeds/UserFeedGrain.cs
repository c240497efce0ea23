using Orleans.Runtime;
using Orleans.Streams;
using OrbitGrains.Hosting;

namespace OrbitGrains.Feeds;

/// <remarks>
/// Only the epoch is stored (once per activation). The entries are kept in memory: what they report is stored by
/// the grains that published it (events, tasks, spend), so a feed that moved or restarted answers a reader from an
/// earlier epoch with its floor, and the reader reloads through the REST routes instead of replaying with a hole.
/// Kept active for a while after its last use, so the replay window survives a front end switch or a short gap.
/// </remarks>
[CollectionAgeLimit(Minutes = 60)]
public sealed class UserFeedGrain(
    [PersistentState("user-feed", OrbitStorageNames.GrainState)] IPersistentState<UserFeedGrain.State> store,
    TimeProvider clock) : Grain, IUserFeedGrain
{
    private readonly Queue<UserFeedEvent> _recent = new();
    private IAsyncStream<UserFeedEvent>? _stream;
    private long _last;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        store.State.Epoch++;
        await store.WriteStateAsync(cancellationToken);
        _last = store.State.Epoch << UserFeed.EpochShift;
        _stream = this.GetStreamProvider(OrbitStorageNames.Streams)
            .GetStream<UserFeedEvent>(StreamId.Create(UserFeed.StreamNamespace, this.GetPrimaryKeyString()));
    }

    public async Task Publish(string type, string data)
    {
        var entry = new UserFeedEvent(++_last, type, data, clock.GetUtcNow());
        _recent.Enqueue(entry);
        while (_recent.Count > UserFeed.Capacity)
        {
            _recent.Dequeue();
        }

        // Kept before it is sent: a follower that sees a gap asks for what it missed, and it is here.
        await _stream!.OnNextAsync(entry);
    }

    public Task<UserFeedBatch> After(long afterId, int limit)
    {
        var events = _recent.Where(e => e.Id > afterId).Take(Math.Clamp(limit, 1, UserFeed.Capacity)).ToArray();
        var floor = _recent.Count > 0 ? _recent.Peek().Id - 1 : _last;
        return Task.FromResult(new UserFeedBatch(events, _last, floor));
    }

    [GenerateSerializer, Alias("OrbitGrains.Feeds.UserFeedGrain.State")]
    public sealed class State
    {
        [Id(0)] public long Epoch { get; set; }
    }
}
