namespace OrbitGrains.Rooms;

public sealed partial class SessionRoomGrain
{
    public async Task<ReceiveOutcome> Receive(string connectionId, RoomEnvelope message)
    {
        if (!_participants.TryGetValue(connectionId, out var sender))
        {
            return ReceiveOutcome.UnknownConnection;
        }

        var role = sender.Connection.Role;
        switch (message.Type)
        {
            case "estop":
                return await EstopAsync(sender, message);
            case "control":
                return Control(sender, message.Action);
            case "command" when _controlHolder != connectionId:
                return Refuse(sender, "control_required", "Only the holder of the control lock may send commands; acquire it first.", message.Type);
            case "command" when role is not (RoomRole.Operator or RoomRole.Admin):
            case "telemetry" when role == RoomRole.Viewer:
                return Refuse(sender, "forbidden", $"A {RoomRoles.Name(role)} may not send {message.Type}.", message.Type);
        }

        if (message.To is { } to)
        {
            if (!_participants.ContainsKey(to) || to == connectionId)
            {
                return Refuse(sender, "unknown_participant", "'to' names no other participant of this room.", message.Type);
            }

            Send(to, message.Frame);
        }
        else
        {
            Broadcast(message.Frame, except: connectionId);
        }

        Record(message.Type, connectionId, message.Frame);
        return ReceiveOutcome.Routed;
    }

    public async Task<int> AdminEstop(string actor, string? address, string? reason)
    {
        if (!Exists)
        {
            return -1;
        }

        var frame = RoomFrames.Estop(null, actor, "admin", reason, clock.GetUtcNow());
        var delivered = DeliverEstop(frame, except: null);
        meter.Rooms.Estop("admin");
        Record("estop", null, frame);
        await AuditEstopAsync(actor, "admin", address, $"via admin API to {delivered} participant(s){(reason is null ? "" : $": {reason}")}");
        return delivered;
    }

    private async Task<ReceiveOutcome> EstopAsync(Participant sender, RoomEnvelope message)
    {
        var role = RoomRoles.Name(sender.Connection.Role);
        if (!RoomRoles.MayStop(sender.Connection.Role))
        {
            await AuditAsync("estop_refused", sender.Connection.Name, role, sender.Connection.Address, sender.Id);
            return Refuse(sender, "forbidden", "Only an operator or an admin may send estop.", "estop");
        }

        // Stop first, write down second: the robot must not wait for the store.
        var reason = ReasonOf(message.Frame);
        var frame = RoomFrames.Estop(sender.Id, sender.Connection.Name, role, reason, clock.GetUtcNow());
        var delivered = DeliverEstop(frame, except: sender.Id);
        meter.Rooms.Estop("participant");
        Record("estop", sender.Id, frame);
        var sequence = await AuditEstopAsync(sender.Connection.Name, role, sender.Connection.Address,
            $"{sender.Id} to {delivered} participant(s){(reason is null ? "" : $": {reason}")}");
        Send(sender.Id, RoomFrames.EstopAck(sequence, delivered));
        return ReceiveOutcome.Routed;
    }

    /// <summary>
    /// An estop has reached the room before it is written down, so its audit entry must not be lost to a storage
    /// hiccup: the same entry (its original time) is appended again a few times before the failure is reported. The
    /// audit log leaves memory as storage has it after a failed write, so a retry never stores it twice.
    /// </summary>
    private async Task<long> AuditEstopAsync(string? actor, string role, string? address, string detail)
    {
        var entry = new AuditEntry(0, clock.GetUtcNow(), "estop", SessionId, actor, role, address, detail);
        var log = GrainFactory.GetGrain<IAuditLogGrain>(SessionId);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await log.Append(entry);
            }
            catch (Exception ex) when (attempt < EstopAuditAttempts && ex is not OperationCanceledException)
            {
                LogEstopAuditRetry(ex, SessionId, attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt));
            }
        }
    }

    private const int EstopAuditAttempts = 4;

    [Microsoft.Extensions.Logging.LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Warning, Message = "Writing the estop audit entry of room {SessionId} failed (attempt {Attempt}); trying again")]
    private partial void LogEstopAuditRetry(Exception exception, string sessionId, int attempt);

    /// <summary>The estop's `reason` (the front end checked it is absent, null or a string of at most 500 characters).</summary>
    private static string? ReasonOf(string frame) =>
        System.Text.Json.Nodes.JsonNode.Parse(frame)?["reason"] is System.Text.Json.Nodes.JsonValue value && value.TryGetValue<string>(out var reason) ? reason : null;

    /// <summary>Robots first (their hubs are called before anyone else's), then every other participant.</summary>
    private int DeliverEstop(string frame, string? except) =>
        Broadcast(frame, except, only: p => p.Connection.Role == RoomRole.Robot)
        + Broadcast(frame, except, only: p => p.Connection.Role != RoomRole.Robot);

    private ReceiveOutcome Control(Participant sender, string? action)
    {
        if (sender.Connection.Role is not (RoomRole.Operator or RoomRole.Admin))
        {
            return Refuse(sender, "forbidden", "Only an operator or an admin may hold the control lock.", "control");
        }

        switch (action)
        {
            case "acquire" when _controlHolder is null || _controlHolder == sender.Id || sender.Connection.Role == RoomRole.Admin:
                _controlHolder = sender.Id;
                break;
            case "acquire":
                return Refuse(sender, "control_locked", $"The control lock is held by {_controlHolder}.", "control");
            case "release" when _controlHolder == sender.Id:
                _controlHolder = null;
                break;
            case "release":
                return Refuse(sender, "not_holder", "Only the holder may release the control lock.", "control");
            default:
                return Refuse(sender, "invalid_message", "control needs action 'acquire' or 'release'.", "control");
        }

        var frame = RoomFrames.Control(SessionId, _controlHolder, _controlHolder is null ? null : sender.Connection.Name);
        Broadcast(frame, except: null);
        Record("control", sender.Id, frame);
        return ReceiveOutcome.Routed;
    }

    private ReceiveOutcome Refuse(Participant sender, string code, string detail, string type)
    {
        Send(sender.Id, RoomFrames.Error(code, detail, type));
        return ReceiveOutcome.Refused;
    }
}
