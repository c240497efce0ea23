using System.Globalization;
using System.Text;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http.Features;

namespace OrbitGrains.WebFrontend.Hosting;

/// <summary>A complete Server-Sent Events frame and the id it carries, encoded once for every connection that sends it.</summary>
public sealed record SseFrame(long Id, byte[] Bytes);

/// <summary>
/// The product's one Server-Sent Events writer (WHATWG HTML, "Server-sent events"): the response headers, frames of
/// "id: n" and one "data:" line of JSON, the Last-Event-ID a reconnecting client sends, and the live pump with
/// heartbeats. The families' streams (Pipeline's job streams, the Agents dashboard stream) differ only in where their
/// replay comes from.
/// </summary>
public static class ServerSentEvents
{
    public const string ContentType = "text/event-stream";

    /// <summary>Starts the stream: content type, no caching, no proxy buffering, no response buffering.</summary>
    public static void Begin(HttpContext http)
    {
        var response = http.Response;
        response.ContentType = ContentType;
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
    }

    /// <summary>One frame: "id: n", the JSON as its data (JSON has no raw newlines), and the blank line that ends it.</summary>
    public static byte[] Encode(long id, string json) =>
        Encoding.UTF8.GetBytes($"id: {id.ToString(CultureInfo.InvariantCulture)}\ndata: {json}\n\n");

    /// <summary>Last-Event-ID (or ?last_event_id=, for clients that cannot set headers); null when none was given.</summary>
    public static long? LastEventId(HttpRequest request)
    {
        var text = request.Headers["Last-Event-ID"].ToString();
        if (string.IsNullOrWhiteSpace(text))
        {
            text = request.Query["last_event_id"].ToString();
        }

        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id >= 0 ? id : null;
    }

    /// <summary>
    /// Sends live frames with ids above <paramref name="lastId"/> until the client leaves or the channel completes (a
    /// client too far behind, or the server stopping: it reconnects with Last-Event-ID). Between frames, every
    /// <paramref name="every"/> a heartbeat frame carrying the last id sent, so a reconnect resumes correctly.
    /// </summary>
    public static async Task PumpAsync(HttpResponse response, ChannelReader<SseFrame> reader, long lastId, TimeSpan every,
        Func<long, byte[]> heartbeat, CancellationToken cancel)
    {
        using var ticker = new PeriodicTimer(every);
        var tick = ticker.WaitForNextTickAsync(cancel).AsTask();
        Task<bool>? wait = null;
        while (true)
        {
            // One pending read at a time (single-reader channel); it survives heartbeats.
            wait ??= reader.WaitToReadAsync(cancel).AsTask();
            if (await Task.WhenAny(wait, tick) == tick)
            {
                await tick;
                await response.Body.WriteAsync(heartbeat(lastId), cancel);
                await response.Body.FlushAsync(cancel);
                tick = ticker.WaitForNextTickAsync(cancel).AsTask();
                continue;
            }

            var more = await wait;
            wait = null;
            if (!more)
            {
                return;
            }

            while (reader.TryRead(out var frame))
            {
                if (frame.Id <= lastId)
                {
                    continue;
                }

                await response.Body.WriteAsync(frame.Bytes, cancel);
                lastId = frame.Id;
            }

            await response.Body.FlushAsync(cancel);
        }
    }
}
