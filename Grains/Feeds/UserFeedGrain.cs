using Microsoft.Extensions.Logging;
using OrbitGrains.Hosting;
using OrbitGrains.Shared;

namespace OrbitGrains.Feeds;

/// <remarks>
/// Only the epoch is stored (once per activation, and again for an epoch started in place). The entries are kept in
/// memory: what they report is stored by the grains that published it (events, tasks, spend), so a feed that moved or
/// restarted answers a reader from an earlier epoch with its floor, and the reader reloads through the REST routes
/// instead of replaying with a hole. Kept active for a while after its last use, so the replay window survives a front
/// end switch or a short gap; watching front ends renew every 30 s, which keeps it active while anyone follows.
/// </remarks>
[CollectionAgeLimit(Minutes = 60)]
public sealed class UserFeedGrain(
    [PersistentState("user-feed", OrbitStorageNames.GrainState)] IPersistentState<UserFeedGrain.State> store,
    TimeProvider clock,
    IClusterMembershipService membership,
    ILogger<UserFeedGrain> logger) : Grain, IUserFeedGrain
{
    private readonly Queue<UserFeedEvent> _recent = new();

    // One observer per front-end silo, keyed by its silo address.
    private readonly HubLeases<IUserFeedObserver> _watchers = new();
    private HashSet<SiloAddress> _deadAtStart = [];
    private long _last;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _deadAtStart = membership.CurrentSnapshot.DeadSilos();
        await StartEpochAsync(cancellationToken);
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // The next activation numbers from a new epoch and knows no watcher: an empty batch has each front end renew
        // now, so its streams get a reset at once rather than at the next renewal or entry. Not when the silo shuts
        // down: its own front end's streams end with it, and the others renew when membership declares it dead.
        if (reason.ReasonCode != DeactivationReasonCode.ShuttingDown)
        {
            Send([]);
        }

        return Task.CompletedTask;
    }

    public async Task Publish(string type, string data)
    {
        await NoteSiloDeathsAsync();
        var entry = new UserFeedEvent(++_last, type, data, clock.GetUtcNow());
        _recent.Enqueue(entry);
        while (_recent.Count > UserFeed.Capacity)
        {
            _recent.Dequeue();
        }

        // Kept before it is sent: a front end that sees a gap asks for what it missed, and it is here.
        Send([entry]);
    }

    public Task<UserFeedBatch> After(long afterId, int limit) => Task.FromResult(Read(afterId, limit));

    public async Task<UserFeedBatch> Watch(SiloAddress silo, IUserFeedObserver observer, long afterId)
    {
        await NoteSiloDeathsAsync();
        _watchers.Renew(silo.ToParsableString(), observer, UserFeed.Lease);
        return Read(afterId, UserFeed.Capacity);
    }

    private UserFeedBatch Read(long afterId, int limit)
    {
        var events = _recent.Where(e => e.Id > afterId).Take(Math.Clamp(limit, 1, UserFeed.Capacity)).ToArray();
        var floor = _recent.Count > 0 ? _recent.Peek().Id - 1 : _last;
        return new UserFeedBatch(events, _last, floor);
    }

    /// <summary>
    /// When membership declared silos dead since this epoch began: their front ends' watches are dropped, and a new
    /// epoch starts in place. Publishers send one-way, so an entry sent from or through a dead silo may have been lost
    /// before it was numbered, and no reader could tell; the new epoch makes every reader reload.
    /// </summary>
    private async Task NoteSiloDeathsAsync()
    {
        var dead = membership.CurrentSnapshot.DeadSilos();
        var fresh = dead.Except(_deadAtStart).ToArray();
        if (fresh.Length == 0)
        {
            return;
        }

        foreach (var silo in fresh)
        {
            _watchers.Forget(silo.ToParsableString());
        }

        try
        {
            await StartEpochAsync(CancellationToken.None);
        }
        catch
        {
            // Without a stored epoch the numbering cannot go on safely: the next activation takes a new one.
            DeactivateOnIdle();
            throw;
        }

        _deadAtStart = dead;
        Send([]);
    }

    /// <summary>Takes a new stored epoch and forgets what the previous one numbered: its readers are told to reload.</summary>
    private async Task StartEpochAsync(CancellationToken cancellationToken)
    {
        store.State.Epoch++;
        await store.WriteStateAsync(cancellationToken);
        _last = store.State.Epoch << UserFeed.EpochShift;
        _recent.Clear();
    }

    /// <summary>One one-way call per watching front end; the entries are encoded once there, for all of its connections.</summary>
    private void Send(UserFeedEvent[] entries)
    {
        _watchers.Expire();
        var userId = this.GetPrimaryKeyString();
        foreach (var hub in _watchers.Hubs)
        {
            try
            {
                _ = hub.OnEntries(userId, entries);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The front end renews (and fills the gap) or its lease runs out.
                logger.LogDebug(ex, "Passing feed entries to a front end failed");
            }
        }
    }

    [GenerateSerializer, Alias("OrbitGrains.Feeds.UserFeedGrain.State")]
    public sealed class State
    {
        [Id(0)] public long Epoch { get; set; }
    }
}
