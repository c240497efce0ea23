using OrbitGrains.WebFrontend.Hosting;
using OrbitGrains.Pipeline;

namespace OrbitGrains.WebFrontend.Pipeline;

/// <summary>
/// This silo's single point of contact with job events (the front end's <see cref="SseTopicHub{TEntry}"/> for the
/// Pipeline): one observer registered per watched source (a job, or the all-jobs feed under the key
/// <see cref="PipelineFeed.AllJobs"/>), however many SSE clients watch it here. So the all-jobs streams of a front end
/// cost one feed message per event batch, whatever the number of jobs or streams. Job ids never restart; the all-jobs
/// feed's sequence numbers carry its epoch, and a new epoch gives its streams a reset frame.
/// </summary>
public sealed class PipelineEventHub(IGrainFactory grains, IClusterMembershipService membership, ILogger<PipelineEventHub> logger, IHostApplicationLifetime lifetime)
    : SseTopicHub<PipelineEvent>(membership, logger, lifetime, SubscriberCapacity), IPipelineJobObserver
{
    public const int SubscriberCapacity = 512;

    private readonly object _referenceGate = new();
    private IPipelineJobObserver? _reference;

    /// <summary>Sources watched from this front end (jobs, and the all-jobs feed).</summary>
    public int WatchedJobs => WatchedTopics;

    Task IPipelineJobObserver.OnEvents(string jobId, PipelineEvent[] events) => DeliverAsync(jobId, events);

    protected override async Task<TopicBatch<PipelineEvent>> WatchAsync(string key, long afterId) =>
        Batch(await Source(key).Watch(Reference, afterId));

    protected override async Task<TopicBatch<PipelineEvent>> ReadAfterAsync(string key, long afterId) =>
        Batch(await Source(key).GetEventsAfter(afterId, PipelineJobEventsGrain.MaxStoredEvents));

    protected override long IdOf(PipelineEvent entry) => entry.StreamId;

    protected override byte[] Encode(PipelineEvent entry) => PipelineEventStream.EncodeEvent(entry);

    protected override int? EpochShiftOf(string key) => key == PipelineFeed.AllJobs ? PipelineFeed.EpochShift : null;

    protected override byte[] EncodeReset(string key, long id) => PipelineEventStream.EncodeReset(id,
        "The all-jobs feed restarted and events may have been missed; reload the current state, live events follow.");

    private static TopicBatch<PipelineEvent> Batch(EventBatch batch) => new(batch.Events, batch.LastEventId, batch.Exists);

    private IPipelineJobObserver Reference
    {
        get
        {
            // Created on first use: the silo (and with it object references) only exists once the host has started.
            lock (_referenceGate)
            {
                return _reference ??= grains.CreateObjectReference<IPipelineJobObserver>(this);
            }
        }
    }

    private IPipelineEventSource Source(string key) => key == PipelineFeed.AllJobs
        ? grains.GetGrain<IPipelineFeedGrain>(PipelineFeed.Key)
        : grains.GetGrain<IPipelineJobEventsGrain>(key);
}
