using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using OrbitGrains.Hosting;
using OrbitGrains.Relay;
using OrbitGrains.WebFrontend.Sockets;
using OrbitGrains.WebFrontend.Telemetry;

namespace OrbitGrains.WebFrontend.Relay;

/// <summary>
/// The relay sockets this front-end silo holds. Routing grains reach them through one observer reference per silo.
/// Presence is kept per silo, not per user: the hub renews one lease with the <see cref="IRelayHubRegistryGrain"/>
/// every third of RELAY_HUB_LEASE_SEC, carrying only the users that came or went since the last renewal, so the work
/// per period does not grow with users or sockets. When cluster membership says a silo died, the hub reconciles each
/// of its users once with their relays (a relay that lived on that silo starts empty and must learn its sockets).
/// When the node stops, the hub tells every socket to go (1001) so its peer reconnects to another node: Kestrel waits
/// for open requests on shutdown.
/// </summary>
public sealed partial class RelayConnectionHub(
    IGrainFactory grains,
    ILocalSiloDetails silo,
    IClusterMembershipService membership,
    RelayOptions options,
    OrbitMetrics metrics,
    IHostApplicationLifetime lifetime,
    ILogger<RelayConnectionHub> logger) : BackgroundService, IRelayHub
{
    private readonly HubSockets<RelaySocket> _sockets = new("relay", static (socket, frame) => socket.Enqueue(frame), metrics, logger);

    /// <summary>Each user's sockets here (<see cref="SocketsByKey"/>), kept as sockets come and go under <see cref="_userGate"/>, never found by scanning.</summary>
    private readonly ConcurrentDictionary<string, RelaySocket[]> _byUser = new(StringComparer.Ordinal);

    /// <summary>Users whose presence here began (true) or ended (false) since the last renewal.</summary>
    private ConcurrentDictionary<string, bool> _changed = new(StringComparer.Ordinal);
    private readonly object _userGate = new();
    private IRelayHub? _reference;

    public string HubId { get; } = RelayHubIds.New(silo.SiloAddress);

    /// <summary>How grains address this hub; created once the silo runs.</summary>
    public IRelayHub Reference => _reference ??= grains.CreateObjectReference<IRelayHub>(this);

    public int Count => _sockets.Count;

    public void Add(RelaySocket socket)
    {
        _sockets.Add(socket.Connection.ConnectionId, socket);
        if (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            socket.GoAway();
        }

        lock (_userGate)
        {
            if (_byUser.AddSocket(socket.UserId, socket))
            {
                _changed[socket.UserId] = true;
            }
        }
    }

    public void Remove(RelaySocket socket)
    {
        if (!_sockets.Remove(socket.Connection.ConnectionId))
        {
            return;
        }

        lock (_userGate)
        {
            if (_byUser.RemoveSocket(socket.UserId, socket))
            {
                _changed[socket.UserId] = false;
            }
        }
    }

    private void CloseAll()
    {
        foreach (var socket in _sockets.All)
        {
            socket.GoAway();
        }
    }

    public Task Deliver(string userId, string[] connectionIds, string frame)
    {
        _sockets.Post(userId, connectionIds, except: null, frame);
        return Task.CompletedTask;
    }

    public Task DeliverMany(string userId, RelayDelivery[] deliveries)
    {
        foreach (var delivery in deliveries)
        {
            _sockets.Post(userId, delivery.ConnectionIds, except: null, delivery.Frame);
        }

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
        // Sockets added before this runs are in the hub by the time the node stops; one added after is closed by Add.
        using var stopping = lifetime.ApplicationStopping.Register(static hub => ((RelayConnectionHub)hub!).CloseAll(), this);
        await Task.WhenAll(RenewLoopAsync(stoppingToken), WatchMembershipAsync(stoppingToken));
    }

    private async Task RenewLoopAsync(CancellationToken stoppingToken)
    {
        // The first renewal (a period after start, once the silo runs) carries the whole list.
        var complete = true;
        using var timer = new PeriodicTimer(options.HubLease / 3);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var started = Stopwatch.GetTimestamp();
            complete = await RenewAsync(complete);
            metrics.Renewed("relay", Stopwatch.GetElapsedTime(started));
        }
    }

    /// <summary>One renewal; returns whether the next one must carry the complete user list.</summary>
    private async Task<bool> RenewAsync(bool complete)
    {
        ConcurrentDictionary<string, bool> changed;
        string[] added, removed;
        lock (_userGate)
        {
            changed = Interlocked.Exchange(ref _changed, new ConcurrentDictionary<string, bool>(StringComparer.Ordinal));
            added = complete ? [.. _byUser.Keys] : [.. changed.Where(c => c.Value).Select(c => c.Key)];
            removed = complete ? [] : [.. changed.Where(c => !c.Value).Select(c => c.Key)];
        }

        try
        {
            var registry = grains.GetGrain<IRelayHubRegistryGrain>(IRelayHubRegistryGrain.Key);
            return !await registry.Renew(new RelayHubLease(HubId, Reference, silo.SiloAddress, options.HubLease), added, removed, complete);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The changes did not arrive: the next renewal sends the whole list instead.
            LogRenewFailed(ex);
            return true;
        }
    }

    /// <summary>Whenever a silo leaves the cluster, tells each of this hub's users' relays which sockets it holds.</summary>
    private async Task WatchMembershipAsync(CancellationToken stoppingToken)
    {
        await foreach (var _ in membership.WatchSiloDeaths(stoppingToken))
        {
            await ReconcileAllAsync();
        }
    }

    private Task ReconcileAllAsync() => Task.WhenAll(_byUser.Select(async user =>
    {
        try
        {
            var held = user.Value.Where(s => s.Registered).Select(s => s.Connection.ConnectionId).ToArray();
            await grains.GetGrain<IUserRelayGrain>(user.Key).Reconcile(HubId, Reference, held);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogReconcileFailed(ex, user.Key);
        }
    }));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Renewing the relay hub's lease failed")]
    private partial void LogRenewFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reconciling the relay sockets of user {UserId} failed")]
    private partial void LogReconcileFailed(Exception exception, string userId);
}
