using System.Text.Json;
using OrbitGrains.Feeds;
using OrbitGrains.WebFrontend.Feeds;
using OrbitGrains.WebFrontend.Hosting;
using OrbitGrains.WebFrontend.Hosting.Access;

namespace OrbitGrains.WebFrontend.Agents;

/// <summary>
/// `GET /v1/stream`: the person's live feed as Server-Sent Events (spec: jarvis.md, "Later versions added ... server-sent
/// event streams of events, inbox and spend"). Frames are <c>id: n</c> and <c>data: {id, type, data, at}</c>; types are
/// those of the Agents feed (agent_event, inbox, spend, agent_status, budget_exceeded) and later Cloud's, plus
/// `connected`, `heartbeat` and `reset`. Order of work, which makes a reconnect lossless: follow the feed first (live
/// entries queue), then replay what the feed kept after Last-Event-ID, then send the live queue minus what was replayed.
/// </summary>
public static class AgentsStreamEndpoints
{
    /// <summary>How often a quiet stream sends a heartbeat frame.</summary>
    public static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    /// <param name="app">The stream is mapped beside the dashboard group: it takes a ticket as well as a bearer.</param>
    /// <param name="dashboard">The dashboard group (bearer only), which hands out the tickets.</param>
    public static void Map(IEndpointRouteBuilder app, RouteGroupBuilder dashboard)
    {
        app.MapGroup("/v1").WithTags("Agents").RequireAuthorization(UserStreamTickets.Policy).WithRefusals(RefusalStyle.UserToken)
            .MapGet("/stream", StreamAsync)
            .WithSummary("Server-Sent Events of the workspace: events, inbox changes, spend, agent status; Last-Event-ID (or ?last_event_id=) replays what was missed")
            .WithDescription("Frames: id: <n>, data: {id, type, data, at}. type is agent_event, inbox ({action: opened|decided|expired, item}), " +
                "spend, agent_status or budget_exceeded; also connected, heartbeat, and reset when entries after Last-Event-ID are no longer kept " +
                "(reload the state through the REST routes; live entries follow). Authenticate with a bearer, or (EventSource) with " +
                "?ticket= from POST /v1/stream/ticket.")
            .Produces<FeedFrame>(StatusCodes.Status200OK, ServerSentEvents.ContentType)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        dashboard.MapPost("/stream/ticket", TicketAsync)
            .WithSummary("A ticket for GET /v1/stream from a browser's EventSource: pass it as ?ticket=; it works once, within 60 s, for the caller's own stream")
            .Produces<StreamTicketView>();
    }

    /// <summary>`POST /v1/stream/ticket` answer.</summary>
    /// <param name="StreamUrl">The stream's path with the ticket in it, relative to the server.</param>
    /// <param name="ExpiresIn">Seconds the ticket stays good for (once).</param>
    public sealed record StreamTicketView(string Ticket, DateTimeOffset ExpiresAt, int ExpiresIn, string StreamUrl);

    private static async Task<IResult> TicketAsync(HttpContext http, UserStreamTickets tickets)
    {
        var (ticket, expiresAt) = await tickets.IssueAsync(http.RequiredUser());
        return Results.Json(new StreamTicketView(ticket, expiresAt, (int)UserStreamTickets.Lifetime.TotalSeconds,
            $"/v1/stream?{UserStreamTickets.QueryKey}={Uri.EscapeDataString(ticket)}"));
    }

    /// <summary>The data of one stream frame.</summary>
    /// <param name="Data">The entry's details, a JSON object whose members depend on <paramref name="Type"/>.</param>
    public sealed record FeedFrame(long Id, string Type, JsonElement Data, DateTimeOffset At);

    private static async Task StreamAsync(HttpContext http, UserFeedHub hub, IGrainFactory grains, AccessLeases leases)
    {
        var user = http.RequiredUser();
        var userId = user.Id!;
        var given = ServerSentEvents.LastEventId(http.Request);
        // The stream ends when its access does (disable, logout of the sign-in it was opened with); a reconnect is refused.
        using var access = await leases.StartAsync(http, user);
        if (access is null)
        {
            http.Response.Headers.RetryAfter = AccessLeases.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await DetailErrors.Error(StatusCodes.Status429TooManyRequests, AccessLeases.TooMany).ExecuteAsync(http);
            return;
        }

        // A person's feed always exists (it starts empty), so the hub always subscribes.
        using var subscription = (await hub.SubscribeAsync(userId))!;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, access.Ended);
        var cancel = stop.Token;
        var response = http.Response;
        ServerSentEvents.Begin(http);
        try
        {
            var feed = grains.GetGrain<IUserFeedGrain>(userId);
            var batch = await feed.After(given ?? long.MaxValue, UserFeed.Capacity);

            // An id from the future (invented, or of a feed that has since restarted lower) would skip real entries: clamp it.
            var lastId = Math.Min(given ?? batch.LastId, batch.LastId);
            var reset = given is not null && lastId < batch.FloorId;
            if (reset)
            {
                lastId = batch.LastId;
            }

            await response.Body.WriteAsync(Frame(lastId, "connected", new { lastEventId = lastId }), cancel);
            if (reset)
            {
                await response.Body.WriteAsync(UserFeedHub.EncodeReset(lastId,
                    "Entries after the given Last-Event-ID are no longer kept; reload the current state, live entries follow."), cancel);
            }
            else
            {
                foreach (var entry in batch.Events.Where(e => e.Id > lastId))
                {
                    await response.Body.WriteAsync(UserFeedHub.EncodeEntry(entry), cancel);
                    lastId = entry.Id;
                }
            }

            await response.Body.FlushAsync(cancel);
            await ServerSentEvents.PumpAsync(response, subscription.Reader, lastId, Heartbeat, last => Frame(last, "heartbeat", new { }), cancel);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            // The client went away, or its access ended.
        }
    }

    private static byte[] Frame(long id, string type, object data) => UserFeedHub.EncodeFrame(id, type, data);
}
