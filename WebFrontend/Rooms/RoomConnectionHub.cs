using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
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
    private readonly ConcurrentDictionary<string, RoomSocketSession> _sockets = new(StringComparer.Ordinal);
    private FanoutLanes<Fanout>? _lanes;
    private IRoomHub? _reference;

    public string HubId { get; } = $"{silo.SiloAddress.ToParsableString()}#{Guid.NewGuid():N}";

    /// <summary>How grains address this hub; created once the silo runs.</summary>
    public IRoomHub Reference => _reference ??= grains.CreateObjectReference<IRoomHub>(this);

    public int Count => _sockets.Count;

    public void Add(RoomSocketSession session) => _sockets[session.ConnectionId] = session;

    public void Remove(RoomSocketSession session) => _sockets.TryRemove(session.ConnectionId, out _);

    public Task Deliver(string roomId, Immutable<string[]> connectionIds, string? exceptConnectionId, string frame)
    {
        var lanes = LazyInitializer.EnsureInitialized(ref _lanes, () => new FanoutLanes<Fanout>(Write, LogFanoutFailed));
        // Encoded once for all recipients; sockets only read the shared bytes.
        lanes.Post(roomId, new Fanout(connectionIds.Value, exceptConnectionId, Encoding.UTF8.GetBytes(frame)));
        return Task.CompletedTask;
    }

    private void Write(Fanout fanout)
    {
        int queued = 0, refused = 0;
        foreach (var id in fanout.ConnectionIds)
        {
            if (id == fanout.Except || !_sockets.TryGetValue(id, out var session))
            {
                continue;
            }

            if (session.Deliver(fanout.Utf8))
            {
                queued++;
            }
            else
            {
                refused++;
                LogTooSlow(id);
            }
        }

        metrics.Fanout("rooms", queued, refused);
    }

    private readonly record struct Fanout(string[] ConnectionIds, string? Except, byte[] Utf8);

    public Task Close(string connectionId, int closeStatus, string reason)
    {
        if (_sockets.TryGetValue(connectionId, out var session))
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
            var byRoom = _sockets.Values.Where(s => s.RoomId is not null).GroupBy(s => s.RoomId!);
            await Task.WhenAll(byRoom.Select(room => RenewAsync(room.Key, room.Select(s => s.ConnectionId).ToArray())));
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Room socket {ConnectionId} closed: its outbound queue overflowed")]
    private partial void LogTooSlow(string connectionId);

    [LoggerMessage(Level = LogLevel.Error, Message = "A room fan-out failed")]
    private partial void LogFanoutFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Renewing the room hub lease for room {RoomId} failed")]
    private partial void LogRenewFailed(Exception exception, string roomId);
}
