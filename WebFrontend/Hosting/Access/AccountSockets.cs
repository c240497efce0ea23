using System.Collections.Concurrent;
using OrbitGrains.Accounts;

namespace OrbitGrains.WebFrontend.Hosting.Access;

/// <summary>What an open socket does when its account changes or its sign-in ends.</summary>
public interface IAccountSocket
{
    /// <summary>The token family (sign-in) the socket was opened with, if any.</summary>
    string? FamilyId { get; }

    /// <summary>The account changed (roles, disabled): <paramref name="user"/> is how it is now.</summary>
    void OnAccountChanged(UserRecord user);

    /// <summary>The socket's sign-in was revoked (logout, disable, a reused refresh token).</summary>
    void OnSignInEnded();
}

/// <summary>
/// The open sockets of this front end by account, and this front end's watch on each of those accounts: the account's
/// grain tells it at once when roles change, the account is disabled or a sign-in ends, and the sockets act on it
/// (close, or rejoin with their new role). Watches are leases renewed while sockets are open, so a front end that dies
/// is forgotten by the accounts.
/// </summary>
public sealed partial class AccountSockets(IGrainFactory grains, ILogger<AccountSockets> logger) : BackgroundService, IAccountWatch
{
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(60);

    private readonly ConcurrentDictionary<string, ConcurrentDictionary<IAccountSocket, byte>> _byUser = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private IAccountWatch? _reference;

    private IAccountWatch Reference => _reference ??= grains.CreateObjectReference<IAccountWatch>(this);

    /// <summary>Tracks a socket of a user until the returned handle is disposed; the account's watch is in place when this returns.</summary>
    public async Task<IDisposable> TrackAsync(string userId, IAccountSocket socket)
    {
        lock (_gate)
        {
            _byUser.GetOrAdd(userId, _ => new ConcurrentDictionary<IAccountSocket, byte>())[socket] = 0;
        }

        await WatchAsync(userId);
        return new Tracked(this, userId, socket);
    }

    public Task UserChanged(UserRecord user)
    {
        foreach (var socket in SocketsOf(user.Id))
        {
            socket.OnAccountChanged(user);
        }

        return Task.CompletedTask;
    }

    public Task FamilyRevoked(string userId, string familyId)
    {
        foreach (var socket in SocketsOf(userId).Where(s => s.FamilyId == familyId))
        {
            socket.OnSignInEnded();
        }

        return Task.CompletedTask;
    }

    // A socket lives across refreshes of its sign-in, each of which ends a session: only the family matters here.
    public Task SessionEnded(string userId, string sessionId) => Task.CompletedTask;

    public Task WatchEnded(string userId)
    {
        if (_byUser.ContainsKey(userId))
        {
            _ = WatchAsync(userId);
        }

        return Task.CompletedTask;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Lease / 3);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await Task.WhenAll(_byUser.Keys.Select(WatchAsync));
        }
    }

    private IEnumerable<IAccountSocket> SocketsOf(string userId) =>
        _byUser.TryGetValue(userId, out var sockets) ? sockets.Keys.ToArray() : [];

    private async Task WatchAsync(string userId)
    {
        try
        {
            await grains.GetGrain<IUserGrain>(userId).Watch(Reference, Lease);
        }
        catch (Exception ex) when (ex is TimeoutException or OrleansException)
        {
            // The next renewal tries again; meanwhile the sockets' own periodic checks still hold.
            LogWatchFailed(ex, userId);
        }
    }

    private void Untrack(string userId, IAccountSocket socket)
    {
        lock (_gate)
        {
            if (!_byUser.TryGetValue(userId, out var sockets) || !sockets.TryRemove(socket, out _) || !sockets.IsEmpty)
            {
                return;
            }

            _byUser.TryRemove(userId, out _);
        }

        _ = UnwatchAsync(userId);
    }

    private async Task UnwatchAsync(string userId)
    {
        try
        {
            await grains.GetGrain<IUserGrain>(userId).Unwatch(Reference);
        }
        catch (Exception ex) when (ex is TimeoutException or OrleansException)
        {
            // The lease lapses by itself.
            LogWatchFailed(ex, userId);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Watching account {UserId} for its sockets failed")]
    private partial void LogWatchFailed(Exception exception, string userId);

    private sealed class Tracked(AccountSockets owner, string userId, IAccountSocket socket) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Untrack(userId, socket);
            }
        }
    }
}
