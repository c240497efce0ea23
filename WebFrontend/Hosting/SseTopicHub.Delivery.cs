namespace OrbitGrains.WebFrontend.Hosting;

// Passing entries on: in id order, without duplicates, gaps filled from the source, a reset frame where an epoch changes.
public abstract partial class SseTopicHub<TEntry>
{
    private async Task DeliverAsync(Topic topic, IReadOnlyList<TEntry> entries)
    {
        await topic.Lock.WaitAsync();
        try
        {
            if (entries.Count == 0)
            {
                // The source asks to be looked at: it started a new epoch, or is going away and its next activation
                // will (and will only know the watchers that renew).
                var batch = await WatchAsync(topic.Key, topic.LastId);
                Publish(topic, batch.Entries);
                NoteNewEpoch(topic, batch.LastId);
                return;
            }

            var fresh = entries.Where(e => IdOf(e) > topic.LastId).OrderBy(IdOf).ToArray();
            if (fresh.Length > 0 && IdOf(fresh[0]) != topic.LastId + 1)
            {
                // Entries were kept before they were sent, so the source can give back what we skipped.
                var batch = await ReadAfterAsync(topic.Key, topic.LastId);
                Publish(topic, batch.Entries);
                NoteNewEpoch(topic, batch.LastId);
                return;
            }

            Publish(topic, fresh);
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "Delivering entries of {Topic} failed; the next renewal fills the gap", topic.Key);
        }
        finally
        {
            topic.Lock.Release();
        }
    }

    /// <summary>
    /// The source reported a newest id of a later epoch than any entry passed on, with no entry of it yet: connections
    /// are told to reload now rather than with the next entry, which may be long in coming.
    /// </summary>
    private void NoteNewEpoch(Topic topic, long lastId)
    {
        if (lastId > topic.LastId && CrossesEpoch(topic, lastId))
        {
            OfferReset(topic, lastId);
            topic.LastId = lastId;
        }
    }

    private void OfferReset(Topic topic, long id)
    {
        var reset = new SseFrame(id, EncodeReset(topic.Key, id));
        foreach (var subscriber in Subscribers(topic))
        {
            subscriber.Offer(reset);
        }
    }

    private static Subscription[] Subscribers(Topic topic)
    {
        lock (topic.Subscribers)
        {
            return topic.Subscribers.ToArray();
        }
    }

    private void Publish(Topic topic, IReadOnlyList<TEntry> entries)
    {
        if (entries.Count == 0)
        {
            return;
        }

        var subscribers = Subscribers(topic);
        foreach (var entry in entries)
        {
            var id = IdOf(entry);
            if (id <= topic.LastId)
            {
                continue;
            }

            if (CrossesEpoch(topic, id))
            {
                // Numbered by a new epoch (the source was activated again, or started one after a silo's death):
                // what was sent to the old one may never have been numbered. Say so, as a reconnect with an id of an
                // earlier epoch is told, instead of carrying on as if nothing were missing.
                OfferReset(topic, id - 1);
            }

            topic.LastId = id;

            // Encoded once here rather than once per connection: a burst is otherwise thousands of identical serialisations.
            var live = new SseFrame(id, Encode(entry));
            foreach (var subscriber in subscribers)
            {
                subscriber.Offer(live);
            }
        }
    }

    /// <summary>True when an id comes from another epoch of the topic's source than the last one passed on.</summary>
    private bool CrossesEpoch(Topic topic, long id) =>
        EpochShiftOf(topic.Key) is { } shift && topic.LastId > 0 && id >> shift != topic.LastId >> shift;

    private void EndAll()
    {
        foreach (var subscription in Topics().SelectMany(Subscribers))
        {
            subscription.End();
        }
    }
}
