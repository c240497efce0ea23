using Microsoft.Extensions.Logging;

namespace OrbitGrains.Relay;

/// <inheritdoc cref="IRelayHubRegistryGrain"/>
/// <remarks>
/// Leases are judged on the monotonic clock (as <see cref="Shared.HubLeases{THub}"/> explains). One timer for the
/// whole cluster checks them each second; users hear only of hubs they had sockets on.
/// </remarks>
public sealed partial class RelayHubRegistryGrain(IClusterMembershipService membership, ILogger<RelayHubRegistryGrain> logger)
    : Grain, IRelayHubRegistryGrain
{
    private static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(1);
    private readonly Dictionary<string, HubEntry> _hubs = new(StringComparer.Ordinal);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        this.RegisterGrainTimer(CheckAsync, new GrainTimerCreationOptions(CheckInterval, CheckInterval) { KeepAlive = true });
        return Task.CompletedTask;
    }

    public Task<bool> Renew(RelayHubLease lease, string[] usersAdded, string[] usersRemoved, bool complete)
    {
        if (!_hubs.TryGetValue(lease.HubId, out var entry))
        {
            _hubs[lease.HubId] = entry = new HubEntry(lease);
        }

        entry.Lease = lease;
        entry.Expires = Environment.TickCount64 + (long)lease.Lease.TotalMilliseconds;
        if (complete)
        {
            entry.Users.Clear();
            entry.Complete = true;
        }

        entry.Users.UnionWith(usersAdded);
        entry.Users.ExceptWith(usersRemoved);
        return Task.FromResult(entry.Complete);
    }

    public Task<string[]> Hubs() => Task.FromResult(_hubs.Keys.ToArray());

    private async Task CheckAsync(CancellationToken cancellationToken)
    {
        var now = Environment.TickCount64;
        var snapshot = membership.CurrentSnapshot;
        var lost = _hubs.Values
            .Where(h => h.Expires < now || snapshot.GetSiloStatus(h.Lease.Silo) == SiloStatus.Dead)
            .ToList();
        foreach (var hub in lost)
        {
            _hubs.Remove(hub.Lease.HubId);
            LogHubLost(hub.Lease.HubId, hub.Users.Count);
        }

        // Only the users that had sockets there are told, each once.
        await Task.WhenAll(lost.SelectMany(hub => hub.Users.Select(user => TellAsync(user, hub.Lease.HubId))));
    }

    private async Task TellAsync(string userId, string hubId)
    {
        try
        {
            await GrainFactory.GetGrain<IUserRelayGrain>(userId).HubLost(hubId);
        }
        catch (Exception ex)
        {
            // The user's relay is unreachable for now; its sockets there are gone anyway and the next membership
            // reconciliation or connect prunes them.
            LogTellFailed(ex, userId, hubId);
        }
    }

    private sealed class HubEntry(RelayHubLease lease)
    {
        public RelayHubLease Lease { get; set; } = lease;
        public long Expires { get; set; }
        public HashSet<string> Users { get; } = new(StringComparer.Ordinal);
        /// <summary>Whether <see cref="Users"/> came from a complete list (else the hub must send one).</summary>
        public bool Complete { get; set; }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Relay hub {HubId} is gone (lease ran out or its silo is dead); telling {Users} user relays")]
    private partial void LogHubLost(string hubId, int users);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Telling the relay of user {UserId} that hub {HubId} is gone failed")]
    private partial void LogTellFailed(Exception exception, string userId, string hubId);
}
