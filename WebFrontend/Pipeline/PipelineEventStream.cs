using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using OrbitGrains.Pipeline;

namespace OrbitGrains.WebFrontend.Pipeline;

/// <summary>
/// GET /api/v1/jobs/{id}/events/stream. Order of work, which is what makes a reconnect lossless: attach to the hub
/// first (live events start queueing), then replay the stored events after Last-Event-ID, then drain the live
/// queue skipping anything the replay already sent. Every frame carries an id: events their own, the connected
/// and heartbeat frames the last event id sent, so a browser's automatic reconnect always resumes correctly.
/// </summary>
public static class PipelineEventStream
{
    private const int ReplayPage = 500;

    public static async Task HandleAsync(string id, HttpContext http, PipelineEventHub hub, IGrainFactory grains, OperatorOptions options)
    {
        if (!PipelineEndpoints.IsJobId(id))
        {
            await PipelineResults.Detail(StatusCodes.Status404NotFound, $"Job {id} not found").ExecuteAsync(http);
            return;
        }

        var lastId = LastEventId(http.Request);
        using var subscription = await hub.SubscribeAsync(id);
        if (subscription is null)
        {
            await PipelineResults.Detail(StatusCodes.Status404NotFound, $"Job {id} not found").ExecuteAsync(http);
            return;
        }

        var cancel = http.RequestAborted;
        var response = http.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

        var grain = grains.GetGrain<IPipelineJobGrain>(id);
        try
        {
            var first = await grain.GetEventsAfter(lastId, ReplayPage);

            // An id from the future (another job's, or invented) would make us skip real events: clamp it.
            lastId = Math.Min(lastId, first.LastEventId);
            await WriteFrameAsync(response, lastId, new { type = "connected", job_id = id, ts = DateTimeOffset.UtcNow, last_event_id = lastId }, cancel);

            var batch = first;
            while (true)
            {
                foreach (var e in batch.Events.Where(e => e.Id > lastId))
                {
                    await response.Body.WriteAsync(EncodeEvent(e), cancel);
                    lastId = e.Id;
                }

                if (batch.Events.Length < ReplayPage)
                {
                    break;
                }

                batch = await grain.GetEventsAfter(lastId, ReplayPage);
            }

            await response.Body.FlushAsync(cancel);
            await PumpLiveAsync(response, subscription, lastId, TimeSpan.FromSeconds(options.Pipeline.SseHeartbeatSeconds), cancel);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            // The client went away; nothing to finish.
        }
    }

    private static async Task PumpLiveAsync(HttpResponse response, PipelineEventHub.Subscription subscription, long lastId, TimeSpan heartbeat, CancellationToken cancel)
    {
        using var ticker = new PeriodicTimer(heartbeat);
        var tick = ticker.WaitForNextTickAsync(cancel).AsTask();
        var reader = subscription.Reader;
        Task<bool>? wait = null;
        while (true)
        {
            // One pending read at a time (single-reader channel); it survives heartbeats.
            wait ??= reader.WaitToReadAsync(cancel).AsTask();
            if (await Task.WhenAny(wait, tick) == tick)
            {
                await tick;
                await WriteFrameAsync(response, lastId, new { type = "heartbeat", ts = DateTimeOffset.UtcNow }, cancel);
                await response.Body.FlushAsync(cancel);
                tick = ticker.WaitForNextTickAsync(cancel).AsTask();
                continue;
            }

            var more = await wait;
            wait = null;
            if (!more)
            {
                // Completed: this client fell too far behind (or the server is stopping). It reconnects with Last-Event-ID.
                return;
            }

            while (reader.TryRead(out var e))
            {
                if (e.Id <= lastId)
                {
                    continue;
                }

                await response.Body.WriteAsync(e.Frame, cancel);
                lastId = e.Id;
            }

            await response.Body.FlushAsync(cancel);
        }
    }

    /// <summary>One event's complete frame: "id: n", its JSON as data, and the blank line that ends it.</summary>
    public static byte[] EncodeEvent(PipelineEvent e) => Encode(e.Id, PipelineJson.Event(e));

    private static async Task WriteFrameAsync(HttpResponse response, long id, object data, CancellationToken cancel) =>
        await response.Body.WriteAsync(Encode(id, data), cancel);

    private static byte[] Encode(long id, object data)
    {
        var json = JsonSerializer.Serialize(data, PipelineJson.Options);
        return Encoding.UTF8.GetBytes($"id: {id.ToString(CultureInfo.InvariantCulture)}\ndata: {json}\n\n");
    }

    private static long LastEventId(HttpRequest request)
    {
        var text = request.Headers["Last-Event-ID"].ToString();
        if (string.IsNullOrWhiteSpace(text))
        {
            text = request.Query["last_event_id"].ToString();
        }

        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0 ? id : 0;
    }
}
