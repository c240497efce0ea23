using System.Collections.Concurrent;
using System.Net.WebSockets;
using OrbitGrains.Relay;
using OrbitGrains.WebFrontend.Sockets;
using OrbitGrains.WebFrontend.Telemetry;

namespace OrbitGrains.WebFrontend.Relay;

/// <summary>
/// The relay sockets this front-end silo holds. Routing grains reach them through one observer reference per
/// silo; the hub renews its lease with every user relay it holds sockets for, so a dead silo's sockets are
/// forgotten by the cluster within a lease.
/// </summary>
public sealed partial class RelayConnectionHub(
    IGrainFactory grains,
    ILocalSiloDetails silo,
    RelayOptions options,
    OrbitMetrics metrics,
    ILogger<RelayConnectionHub> logger) : BackgroundService, IRelayHub
{
    private readonly HubSockets<RelaySocket> _sockets = new("relay", static (socket, frame) => socket.Enqueue(frame), metrics, logger);
    private readonly ConcurrentDictionary<string, int> _socketsPerUser = new(StringComparer.Ordinal);
    private IRelayHub? _reference;

    public string HubId { get; } = $"{silo.SiloAddress.ToParsableString()}#{Guid.NewGuid():N}";

    /// <summary>How grains address this hub; created once the silo runs.</summary>
    public IRelayHub Reference => _reference ??= grains.CreateObjectReference<IRelayHub>(this);

    public int Count => _sockets.Count;

    public void Add(RelaySocket socket)
    {
        _sockets.Add(socket.Connection.ConnectionId, socket);
        _socketsPerUser.AddOrUpdate(socket.UserId, 1, (_, n) => n + 1);
    }

    public void Remove(RelaySocket socket)
    {
        if (_sockets.Remove(socket.Connection.ConnectionId))
        {
            _socketsPerUser.AddOrUpdate(socket.UserId, 0, (_, n) => n - 1);
            _socketsPerUser.TryRemove(new KeyValuePair<string, int>(socket.UserId, 0));
        }
    }

    public Task Deliver(string userId, string[] connectionIds, string frame)
    {
        _sockets.Post(userId, connectionIds, except: null, frame);
        return Task.CompletedTask;
    }

    public Task Close(string connectionId, int closeStatus, string reason)
    {
        if (_sockets.TryGet(connectionId, out var socket))
        {
            socket.Close((WebSocketCloseStatus)closeStatus, reason);
        }

        return Task.CompletedTask;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.HubLease / 3);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await Task.WhenAll(_socketsPerUser.Keys.Select(RenewAsync));
        }

        async Task RenewAsync(string userId)
        {
            try
            {
                var held = _sockets.All.Where(s => s.UserId == userId && s.Registered).Select(s => s.Connection.ConnectionId).ToArray();
                await grains.GetGrain<IUserRelayGrain>(userId).RenewHub(HubId, Reference, options.HubLease, held);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogRenewFailed(ex, userId);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Renewing the relay hub lease for user {UserId} failed")]
    private partial void LogRenewFailed(Exception exception, string userId);
}
