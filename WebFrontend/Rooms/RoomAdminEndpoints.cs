using System.Globalization;
using OrbitGrains.Rooms;
using OrbitGrains.WebFrontend.Hosting.Access;
using OrbitGrains.WebFrontend.Admin;
using OrbitGrains.WebFrontend.Hosting.Bodies;

namespace OrbitGrains.WebFrontend.Rooms;

/// <summary>
/// `/api/admin/...`: active rooms with their participants, estop a room, the audit log, recordings and replay.
/// All behind the admin policy (the admin token, or a person with the admin role).
/// </summary>
public static class RoomAdminEndpoints
{
    private const int MaxRoomsListed = 500;

    public static IEndpointRouteBuilder MapRoomAdmin(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/admin").WithTags("Rooms admin").RequireAuthorization(OrbitPolicies.Admin);
        admin.MapGet("/rooms", ListRoomsAsync)
            .WithSummary("Every active room with participants -> {\"rooms\": [{\"session_id\", \"name\", \"owner_id\", \"participants\": [{\"id\",\"name\",\"role\",\"joined_at\"}], \"control\", \"recording_id\"}]}");
        admin.MapPost("/rooms/{sessionId}/estop", EstopAsync)
            .WithSummary("Emergency stop to every participant of the room (robots first), audited. Body {\"reason\"?: string} -> {\"delivered\"}");
        admin.MapGet("/audit", AuditAsync)
            .WithSummary("Audit log, oldest first: ?log=global|<session_id>&after=<sequence>&limit=1..500 -> {\"entries\", \"next_after\"}");
        admin.MapPost("/rooms/{sessionId}/recording/start", StartRecordingAsync)
            .WithSummary("Start recording the room's signaling and telemetry -> {\"recording_id\"}");
        admin.MapPost("/rooms/{sessionId}/recording/stop", StopRecordingAsync)
            .WithSummary("Stop recording -> {\"recording_id\"}");
        admin.MapGet("/rooms/{sessionId}/recordings", RecordingsAsync)
            .WithSummary("Recordings of the room, oldest first -> {\"recordings\": [id]}");
        admin.MapGet("/recordings/{recordingId}", ReplayAsync)
            .WithSummary("Replay a recording in order: ?after=<sequence>&limit=1..1000 -> {\"recording_id\", \"session_id\", \"active\", \"entries\": [{\"seq\",\"at\",\"type\",\"from\",\"frame\"}], \"next_after\"}");
        return app;
    }

    private static async Task<IResult> ListRoomsAsync(IGrainFactory grains)
    {
        var index = grains.GetGrain<IRoomIndexGrain>("active");
        var active = (await index.Active()).Take(MaxRoomsListed).ToArray();
        var snapshots = await Task.WhenAll(active.Select(r => grains.GetGrain<ISessionRoomGrain>(r.SessionId).Snapshot()));
        foreach (var empty in snapshots.Where(s => s.Participants.Length == 0))
        {
            // The room lost its presence with a silo: nobody is there, so it is not active.
            await index.Report(empty.SessionId, 0);
        }

        return Results.Json(new
        {
            rooms = snapshots.Where(s => s.Participants.Length > 0).Select(s => new
            {
                session_id = s.SessionId,
                name = s.Name,
                owner_id = s.OwnerId,
                participants = s.Participants.Select(p => new { id = p.Id, name = p.Name, role = p.Role, joined_at = p.JoinedAt }),
                control = s.ControlHolder,
                recording_id = s.RecordingId,
            }),
        });
    }

    private static async Task<IResult> EstopAsync(string sessionId, Body<RoomEstopRequest> body, HttpContext context, IGrainFactory grains)
    {
        if (!SignalMessages.IsSessionId(sessionId))
        {
            return RoomErrors.Detail(StatusCodes.Status404NotFound, "No such session.");
        }

        var reason = body.Value.Reason;
        if (reason is { Length: > 500 })
        {
            return RoomErrors.BadRequest("The body must be {\"reason\": string of at most 500 characters}.");
        }

        var actor = context.User.Identity?.Name ?? "admin";
        var delivered = await grains.GetGrain<ISessionRoomGrain>(sessionId).AdminEstop(actor, context.Connection.RemoteIpAddress?.ToString(), reason);
        return delivered < 0
            ? RoomErrors.Detail(StatusCodes.Status404NotFound, "No such session.")
            : Results.Json(new { session_id = sessionId, delivered });
    }

    private static async Task<IResult> AuditAsync(HttpContext context, IGrainFactory grains)
    {
        var query = context.Request.Query;
        var log = query["log"].ToString() is { Length: > 0 } named ? named : SessionRoomGrain.GlobalRoom;
        if (!SignalMessages.IsSessionId(log))
        {
            return RoomErrors.BadRequest("log must be 'global' or a session id.");
        }

        if (!TryRead(query["after"], 0, long.MaxValue, 0, out var after) || !TryRead(query["limit"], 1, 500, 100, out var limit))
        {
            return RoomErrors.BadRequest("after must be a whole number from 0; limit from 1 to 500.");
        }

        var page = await grains.GetGrain<IAuditLogGrain>(log).Read(after, (int)limit);
        return Results.Json(new
        {
            log,
            entries = page.Entries.Select(e => new
            {
                seq = e.Sequence, at = e.At, action = e.Action, session_id = e.SessionId, actor = e.Actor, role = e.Role, address = e.Address, detail = e.Detail,
            }),
            next_after = page.NextAfter,
        });
    }

    private static async Task<IResult> StartRecordingAsync(string sessionId, HttpContext context, IGrainFactory grains)
    {
        if (!SignalMessages.IsSessionId(sessionId)
            || await grains.GetGrain<ISessionRoomGrain>(sessionId).StartRecording(context.User.Identity?.Name ?? "admin") is not { } recordingId)
        {
            return RoomErrors.Detail(StatusCodes.Status404NotFound, "No such session.");
        }

        return Results.Json(new { session_id = sessionId, recording_id = recordingId });
    }

    private static async Task<IResult> StopRecordingAsync(string sessionId, HttpContext context, IGrainFactory grains)
    {
        if (!SignalMessages.IsSessionId(sessionId)
            || await grains.GetGrain<ISessionRoomGrain>(sessionId).StopRecording(context.User.Identity?.Name ?? "admin") is not { } recordingId)
        {
            return RoomErrors.Detail(StatusCodes.Status409Conflict, "The session is not being recorded.");
        }

        return Results.Json(new { session_id = sessionId, recording_id = recordingId });
    }

    private static async Task<IResult> RecordingsAsync(string sessionId, IGrainFactory grains) =>
        SignalMessages.IsSessionId(sessionId)
            ? Results.Json(new { session_id = sessionId, recordings = await grains.GetGrain<ISessionRoomGrain>(sessionId).Recordings() })
            : RoomErrors.Detail(StatusCodes.Status404NotFound, "No such session.");

    private static async Task<IResult> ReplayAsync(string recordingId, HttpContext context, IGrainFactory grains)
    {
        if (!SignalMessages.IsRecordingId(recordingId))
        {
            return RoomErrors.Detail(StatusCodes.Status404NotFound, "No such recording.");
        }

        if (!TryRead(context.Request.Query["after"], 0, long.MaxValue, 0, out var after) || !TryRead(context.Request.Query["limit"], 1, 1000, 500, out var limit))
        {
            return RoomErrors.BadRequest("after must be a whole number from 0; limit from 1 to 1000.");
        }

        var page = await grains.GetGrain<IRecordingGrain>(recordingId).Read(after, (int)limit);
        if (page.SessionId is null)
        {
            return RoomErrors.Detail(StatusCodes.Status404NotFound, "No such recording.");
        }

        return Results.Json(new
        {
            recording_id = page.RecordingId,
            session_id = page.SessionId,
            active = page.Active,
            entries = page.Entries.Select(e => new { seq = e.Sequence, at = e.At, type = e.Type, from = e.From, frame = e.Frame }),
            next_after = page.NextAfter,
        });
    }

    private static bool TryRead(string? text, long min, long max, long fallback, out long value)
    {
        if (string.IsNullOrEmpty(text))
        {
            value = fallback;
            return true;
        }

        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= min && value <= max;
    }
}
