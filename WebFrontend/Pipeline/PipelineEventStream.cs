using System.Text.Json;
using OrbitGrains.WebFrontend.Hosting;
using OrbitGrains.Pipeline;
using OrbitGrains.WebFrontend.Hosting.Access;

namespace OrbitGrains.WebFrontend.Pipeline;

/// <summary>
/// The two Server-Sent Events routes: GET /api/v1/jobs/{id}/events/stream (one job; SSE ids are the job's event
/// ids) and GET /api/v1/events/stream (every job; SSE ids are the all-jobs feed's sequence numbers). Order of work,
/// which is what makes a reconnect lossless: attach to the hub first (live events start queueing), then replay the
/// stored events after Last-Event-ID, then drain the live queue skipping anything the replay already sent. Every
/// frame carries an id: events their own, the connected and heartbeat frames the last event id sent, so a
/// browser's automatic reconnect always resumes correctly.
/// </summary>
public static class PipelineEventStream
{
    private const int ReplayPage = 500;


    public static async Task HandleJobAsync(string id, HttpContext http, PipelineEventHub hub, IGrainFactory grains, OperatorOptions options)
    {
        if (!PipelineEndpoints.IsJobId(id))
        {
            await PipelineResults.Detail(StatusCodes.Status404NotFound, $"Job {id} not found").ExecuteAsync(http);
            return;
        }

        await RunAsync(http, hub, grains.GetGrain<IPipelineJobEventsGrain>(id), id, options, replayWithoutId: true,
            last => new { type = "connected", job_id = id, ts = DateTimeOffset.UtcNow, last_event_id = last });
    }

    /// <summary>
    /// Every job's events. Without Last-Event-ID it starts live (a list view loads the jobs themselves); with one it
    /// replays what the feed still holds after it, or sends a "reset" frame when that is no longer possible.
    /// </summary>
    public static Task HandleAllAsync(HttpContext http, PipelineEventHub hub, IGrainFactory grains, OperatorOptions options) =>
        RunAsync(http, hub, grains.GetGrain<IPipelineFeedGrain>(PipelineFeed.Key), PipelineFeed.AllJobs, options, replayWithoutId: false,
            last => new { type = "connected", scope = "all", ts = DateTimeOffset.UtcNow, last_event_id = last });

    private static async Task RunAsync(HttpContext http, PipelineEventHub hub, IPipelineEventSource source, string key, OperatorOptions options,
        bool replayWithoutId, Func<long, object> connected)
    {
        var given = ServerSentEvents.LastEventId(http.Request);
        using var subscription = await hub.SubscribeAsync(key);
        if (subscription is null)
        {
            await PipelineResults.Detail(StatusCodes.Status404NotFound, $"Job {key} not found").ExecuteAsync(http);
            return;
        }

        // The stream ends when its access does (disable, logout, the operator role revoked); a reconnect is then refused.
        using var access = await http.RequestServices.GetRequiredService<AccessLeases>().StartAsync(http, http.RequiredUser(), PipelineAccess.IsOperator);
        if (access is null)
        {
            await PipelineResults.TooManyRequests(http, AccessLeases.TooMany, AccessLeases.RetryAfterSeconds).ExecuteAsync(http);
            return;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, access.Ended);
        var cancel = stop.Token;
        var response = http.Response;
        ServerSentEvents.Begin(http);

        try
        {
            var first = await source.GetEventsAfter(given ?? (replayWithoutId ? 0 : long.MaxValue), ReplayPage);

            // An id from the future (another source's, or invented) would make us skip real events: clamp it.
            var lastId = Math.Min(given ?? (replayWithoutId ? 0 : first.LastEventId), first.LastEventId);
            var reset = given > 0 && lastId < first.FloorId;
            if (reset)
            {
                // What came after the client's id is no longer kept (or was kept by an earlier run of the feed):
                // say so instead of replaying with a hole, and go on live from here.
                lastId = first.LastEventId;
            }

            await WriteFrameAsync(response, lastId, connected(lastId), cancel);
            if (reset)
            {
                await response.Body.WriteAsync(EncodeReset(lastId, "Events after the given Last-Event-ID are no longer kept; reload the current state, live events follow."), cancel);
            }
            else
            {
                lastId = await ReplayAsync(response, source, first, lastId, cancel);
            }

            await response.Body.FlushAsync(cancel);
            await PumpLiveAsync(response, subscription, lastId, TimeSpan.FromSeconds(options.Pipeline.SseHeartbeatSeconds), cancel);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            // The client went away, or its access ended; nothing to finish.
        }
    }

    /// <summary>Writes the stored events after lastId, page by page; the id of the last one written (or lastId).</summary>
    private static async Task<long> ReplayAsync(HttpResponse response, IPipelineEventSource source, EventBatch first, long lastId, CancellationToken cancel)
    {
        var batch = first;
        while (true)
        {
            foreach (var e in batch.Events.Where(e => e.StreamId > lastId))
            {
                await response.Body.WriteAsync(EncodeEvent(e), cancel);
                lastId = e.StreamId;
            }

            if (batch.Events.Length < ReplayPage)
            {
                return lastId;
            }

            batch = await source.GetEventsAfter(lastId, ReplayPage);
        }
    }

    private static Task PumpLiveAsync(HttpResponse response, PipelineEventHub.Subscription subscription, long lastId, TimeSpan heartbeat, CancellationToken cancel) =>
        ServerSentEvents.PumpAsync(response, subscription.Reader, lastId, heartbeat,
            last => Encode(last, new { type = "heartbeat", ts = DateTimeOffset.UtcNow }), cancel);

    /// <summary>One event's complete frame: "id: n" (its stream id), its JSON as data, and the blank line that ends it.</summary>
    public static byte[] EncodeEvent(PipelineEvent e) => Encode(e.StreamId, PipelineJson.Event(e));

    /// <summary>A `reset` frame: the client reloads the current state; the events after <paramref name="id"/> follow live.</summary>
    public static byte[] EncodeReset(long id, string message) => Encode(id, new
    {
        type = "reset",
        ts = DateTimeOffset.UtcNow,
        last_event_id = id,
        message,
    });

    private static async Task WriteFrameAsync(HttpResponse response, long id, object data, CancellationToken cancel) =>
        await response.Body.WriteAsync(Encode(id, data), cancel);

    private static byte[] Encode(long id, object data) => ServerSentEvents.Encode(id, JsonSerializer.Serialize(data, PipelineJson.Options));
}
