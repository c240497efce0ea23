using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Streams;
using OrbitGrains.Hosting;

namespace OrbitGrains.Feeds;

/// <remarks>
/// Subscriptions of the memory stream provider are stored (PubSubStore), so one that outlives its listener (a silo
/// that crashed) would reactivate it on whichever silo delivers: a listener that finds itself off its own silo, or
/// on a silo where nobody follows the user any more, ends the subscription instead of delivering.
/// </remarks>
[Orleans.Placement.PreferLocalPlacement]
public sealed class UserFeedListenerGrain(ILocalSiloDetails silo, ILogger<UserFeedListenerGrain> logger) : Grain, IUserFeedListenerGrain
{
    /// <summary>How long a listener stays after its hub's last renewal (the hub renews every 30 s).</summary>
    private static readonly TimeSpan KeepAlive = TimeSpan.FromMinutes(2);

    private StreamSubscriptionHandle<UserFeedEvent>? _handle;

    private (string Silo, string User) Key
    {
        get
        {
            var key = this.GetPrimaryKeyString();
            var bar = key.LastIndexOf('|');
            return bar < 0 ? ("", key) : (key[..bar], key[(bar + 1)..]);
        }
    }

    private IUserFeedSink? Sink => ServiceProvider.GetService<IUserFeedSink>();

    /// <summary>The listener's key for a user on the silo a sink serves.</summary>
    public static string KeyOf(string siloKey, string userId) => $"{siloKey}|{userId}";

    public async Task Listen()
    {
        DelayDeactivation(KeepAlive);
        if (_handle is not null || !Home())
        {
            return;
        }

        var stream = this.GetStreamProvider(OrbitStorageNames.Streams)
            .GetStream<UserFeedEvent>(StreamId.Create(UserFeed.StreamNamespace, Key.User));
        var handles = await stream.GetAllSubscriptionHandles();
        foreach (var extra in handles.Skip(1))
        {
            await extra.UnsubscribeAsync();
        }

        _handle = handles.Count > 0 ? await handles[0].ResumeAsync(OnNextAsync) : await stream.SubscribeAsync(OnNextAsync);
    }

    public async Task Stop()
    {
        if (Sink?.Follows(Key.User) == true)
        {
            // Someone connected again between the hub's last leave and this call: keep following.
            return;
        }

        await EndAsync();
        DeactivateOnIdle();
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        try
        {
            await EndAsync();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            logger.LogDebug(ex, "Ending the feed subscription of {Listener} failed; the next delivery ends it", this.GetPrimaryKeyString());
        }
    }

    private async Task OnNextAsync(UserFeedEvent entry, StreamSequenceToken? token)
    {
        if (!Home() || Sink is not { } sink || !sink.Follows(Key.User))
        {
            await EndAsync();
            DeactivateOnIdle();
            return;
        }

        await sink.Deliver(Key.User, entry);
    }

    private bool Home() => Key.Silo == silo.SiloAddress.ToParsableString() && Sink is { } sink && sink.SiloKey == Key.Silo;

    private async Task EndAsync()
    {
        if (_handle is { } handle)
        {
            _handle = null;
            await handle.UnsubscribeAsync();
            return;
        }

        // Activated by a delivery of a subscription stored earlier: end that one.
        var stream = this.GetStreamProvider(OrbitStorageNames.Streams)
            .GetStream<UserFeedEvent>(StreamId.Create(UserFeed.StreamNamespace, Key.User));
        foreach (var stale in await stream.GetAllSubscriptionHandles())
        {
            await stale.UnsubscribeAsync();
        }
    }
}
