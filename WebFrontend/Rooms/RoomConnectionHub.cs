using System.Diagnostics;
using System.Net.WebSockets;
using Orleans.Concurrency;
using OrbitGrains.Rooms;
using OrbitGrains.WebFrontend.Sockets;
using OrbitGrains.WebFrontend.Telemetry;

namespace OrbitGrains.WebFrontend.Rooms;

/// <summary>
/// The room sockets this front-end silo holds. Room grains reach them through one observer reference per silo;
/// the hub renews its lease with every room it holds sockets in, so a dead silo's participants are dropped
/// from their rooms within a lease.
/// </summary>
public sealed partial class RoomConnectionHub(
    IGrainFactory grains,
    ILocalSiloDetails silo,
    RoomsOptions options,
    OrbitMetrics metrics,
    ILogger<RoomConnectionHub> logger) : BackgroundService, IRoomHub
{
    private readonly HubSockets<RoomSocketSession> _sockets = new("rooms", static (session, frame) => session.Deliver(frame), metrics, logger);
    private IRoomHub? _reference;

    public string HubId { get; } = $"{silo.SiloAddress.ToParsableString()}#{Guid.NewGuid():N}";

    /// <summary>How grains address this hub; created once the silo runs.</summary>
    public IRoomHub Reference => _reference ??= grains.CreateObjectReference<IRoomHub>(this);

    public int Count => _sockets.Count;

    public void Add(RoomSocketSession session) => _sockets.Add(session.ConnectionId, session);

    public void Remove(RoomSocketSession session) => _sockets.Remove(session.ConnectionId);

    public Task Deliver(string roomId, Immutable<string[]> connectionIds, string? exceptConnectionId, string frame)
    {
        _sockets.Post(roomId, connectionIds.Value, exceptConnectionId, frame);
        return Task.CompletedTask;
    }

    public Task Close(string connectionId, int closeStatus, string reason)
    {
        if (_sockets.TryGet(connectionId, out var session))
        {
            session.Socket.Close((WebSocketCloseStatus)closeStatus, reason);
        }

        return Task.CompletedTask;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.HubLease / 3);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var started = Stopwatch.GetTimestamp();
            var byRoom = _sockets.All.Where(s => s.RoomId is not null).GroupBy(s => s.RoomId!);
            await Task.WhenAll(byRoom.Select(room => RenewAsync(room.Key, room.Select(s => s.ConnectionId).ToArray())));
            metrics.Renewed("rooms", Stopwatch.GetElapsedTime(started));
        }

        async Task RenewAsync(string roomId, string[] held)
        {
            try
            {
                await grains.GetGrain<ISessionRoomGrain>(roomId).RenewHub(HubId, Reference, options.HubLease, held);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogRenewFailed(ex, roomId);
            }
        }
    }



    [LoggerMessage(Level = LogLevel.Warning, Message = "Renewing the room hub lease for room {RoomId} failed")]
    private partial void LogRenewFailed(Exception exception, string roomId);
}
