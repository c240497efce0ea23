using OrbitGrains.Pipeline;

namespace OrbitGrains.WebFrontend.Pipeline;

/// <summary>
/// The event streams (one job's, every job's) and their tickets. All four draw from the stream rate limit, not the
/// API one (<see cref="PipelineAccess.StreamRoute"/>); the streams take a bearer or a ticket, the ticket routes a bearer.
/// </summary>
public static class PipelineStreamRoutes
{
    // The schema given for the stream is that of one frame's data (an event); the descriptions give the frame format.
    private const string EventStream = "text/event-stream";

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/jobs/{id}/events/stream", PipelineEventStream.HandleJobAsync)
            .WithMetadata(new PipelineAccess.StreamRoute(AcceptsTicket: true)).RequireAuthorization(StreamTickets.Policy)
            .WithSummary("Server-Sent Events of one job: connected, every event live, heartbeats; Last-Event-ID (or ?last_event_id=) replays what was missed")
            .WithDescription("Authenticate with Authorization: Bearer, or with ?ticket= from POST /api/v1/jobs/{id}/events/ticket (for EventSource). " +
                "Frames: id: <job event id>, data: {id, ts, type, stage, status, message, payload}; also {type:\"connected\"}, {type:\"heartbeat\"} " +
                "and, when events after Last-Event-ID are no longer kept, {type:\"reset\"}.")
            .Produces<PipelineJson.EventBody>(StatusCodes.Status200OK, EventStream)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        api.MapGet("/events/stream", PipelineEventStream.HandleAllAsync)
            .WithMetadata(new PipelineAccess.StreamRoute(AcceptsTicket: true)).RequireAuthorization(StreamTickets.Policy)
            .WithSummary("Server-Sent Events of every job, for a list view; ids are the all-jobs feed's sequence numbers, Last-Event-ID replays")
            .WithDescription("Authenticate with Authorization: Bearer, or with ?ticket= from POST /api/v1/events/ticket. Frames: id: <seq>, " +
                "data: {job_id, seq, id, ts, type, stage, status, message, payload} (id is the job's own event id). Without Last-Event-ID the " +
                "stream starts live; {type:\"reset\"} means events after the given id are no longer kept: reload GET /api/v1/jobs.")
            .Produces<PipelineJson.EventBody>(StatusCodes.Status200OK, EventStream)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        api.MapPost("/jobs/{id}/events/ticket", JobTicketAsync)
            .WithMetadata(new PipelineAccess.StreamRoute(AcceptsTicket: false))
            .WithSummary("A stream ticket for this job's event stream: pass it as ?ticket=; it works once, within 60 s, for this job only")
            .Produces<StreamTicketResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        api.MapPost("/events/ticket", AllJobsTicketAsync)
            .WithMetadata(new PipelineAccess.StreamRoute(AcceptsTicket: false))
            .WithSummary("A stream ticket for the all-jobs event stream: pass it as ?ticket=; it works once, within 60 s")
            .Produces<StreamTicketResponse>()
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
    }

    private static async Task<IResult> JobTicketAsync(string id, HttpContext http, IGrainFactory grains, StreamTickets tickets)
    {
        // Asking for the job's newest events (none after the largest id) is the cheapest way to learn it exists.
        if (!PipelineEndpoints.IsJobId(id) || !(await grains.GetGrain<IPipelineJobGrain>(id).GetEventsAfter(long.MaxValue, 1)).Exists)
        {
            return PipelineEndpoints.NotFound(id);
        }

        return await IssueAsync(http, tickets, StreamTicketScopes.Job(id), $"/api/v1/jobs/{id}/events/stream");
    }

    private static Task<IResult> AllJobsTicketAsync(HttpContext http, StreamTickets tickets) =>
        IssueAsync(http, tickets, StreamTicketScopes.AllJobs, "/api/v1/events/stream");

    private static async Task<IResult> IssueAsync(HttpContext http, StreamTickets tickets, string scope, string path)
    {
        var (ticket, expiresAt) = await tickets.IssueAsync(scope, http.User);
        return PipelineJson.Ok(new StreamTicketResponse(ticket, expiresAt, (int)StreamTickets.Lifetime.TotalSeconds,
            $"{path}?{StreamTickets.QueryKey}={Uri.EscapeDataString(ticket)}"));
    }
}
