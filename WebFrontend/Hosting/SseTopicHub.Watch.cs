using OrbitGrains.Hosting;

namespace OrbitGrains.WebFrontend.Hosting;

// The hub's registrations with the sources: the first watch of a topic, periodic renewals, and renewals after a silo's death.
public abstract partial class SseTopicHub<TEntry>
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(RenewPeriodicallyAsync(stoppingToken), RenewOnSiloDeathAsync(stoppingToken));

    private async Task RenewPeriodicallyAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(RenewEvery);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await RenewAllAsync(Topics());
        }
    }

    private async Task RenewOnSiloDeathAsync(CancellationToken stoppingToken)
    {
        await foreach (var _ in _membership.WatchSiloDeaths(stoppingToken))
        {
            // Right after a death the cluster may still be settling (placement, directory): retry what failed, briefly.
            var pending = Topics();
            for (var attempt = 0; pending.Count > 0 && attempt < RetriesAfterDeath && !stoppingToken.IsCancellationRequested; attempt++)
            {
                if (attempt > 0)
                {
                    await Task.Delay(RetryAfterDeath, stoppingToken);
                }

                pending = await RenewAllAsync(pending);
            }
        }
    }

    private List<Topic> Topics()
    {
        lock (_gate)
        {
            return [.. _topics.Values];
        }
    }

    /// <summary>Renews each topic's watch; the topics whose renewal failed (logged).</summary>
    private async Task<List<Topic>> RenewAllAsync(IEnumerable<Topic> topics)
    {
        var failed = new List<Topic>();
        foreach (var topic in topics)
        {
            try
            {
                await RenewAsync(topic);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                _logger.LogWarning(ex, "Renewing the watch of {Topic} failed; retrying", topic.Key);
                failed.Add(topic);
            }
        }

        return failed;
    }

    private async Task<bool> RegisterAsync(Topic topic)
    {
        await topic.Lock.WaitAsync();
        try
        {
            // No past entries: each connection replays what it needs itself; the hub only carries what happens from now on.
            var batch = await WatchAsync(topic.Key, long.MaxValue);
            topic.LastId = batch.LastId;
            if (!batch.Exists)
            {
                Remove(topic);
            }

            return batch.Exists;
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
        await topic.Lock.WaitAsync();
        try
        {
            var batch = await WatchAsync(topic.Key, topic.LastId);
            Publish(topic, batch.Entries);
            NoteNewEpoch(topic, batch.LastId);
        }
        finally
        {
            topic.Lock.Release();
        }
    }
}
