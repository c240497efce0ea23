using System.Collections.Concurrent;
using OrbitGrains.Accounts;
using OrbitGrains.WebFrontend.Sockets;

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
/// The open sockets of this front end by account, kept watched through the front end's one <see cref="AccountWatch"/>:
/// the account's grain tells it at once when roles change, the account is disabled or a sign-in ends, and the sockets
/// act on it (close, or rejoin with their new role). The watch is renewed every <see cref="Renewal"/> while an account
/// has sockets open (an account's new activation, after its silo was lost, knows no watcher until then) and left to
/// lapse after its last socket closes, so a front end that dies is forgotten by the accounts.
/// </summary>
/// <remarks>Receives the notices as a listener of <see cref="AccountWatch"/>, not as an object reference of its own.</remarks>
public sealed partial class AccountSockets : BackgroundService, IAccountWatch
{
    /// <summary>How often the watch on each account with open sockets is renewed (a third of the lease's old length).</summary>
    public static readonly TimeSpan Renewal = TimeSpan.FromSeconds(20);

    /// <summary>Each account's open sockets (<see cref="SocketsByKey"/>), changed under <see cref="_gate"/>.</summary>
    private readonly ConcurrentDictionary<string, IAccountSocket[]> _byUser = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly AccountWatch _watch;
    private readonly ILogger<AccountSockets> _logger;

    public AccountSockets(AccountWatch watch, ILogger<AccountSockets> logger)
    {
        (_watch, _logger) = (watch, logger);
        watch.Listen(this);
    }

    /// <summary>Tracks a socket of a user until the returned handle is disposed; the account's watch is in place when this returns.</summary>
    public async Task<IDisposable> TrackAsync(string userId, IAccountSocket socket)
    {
        lock (_gate)
        {
            _byUser.AddSocket(userId, socket);
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
        using var timer = new PeriodicTimer(Renewal);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await Task.WhenAll(_byUser.Keys.Select(WatchAsync));
        }
    }

    private IAccountSocket[] SocketsOf(string userId) => _byUser.SocketsOf(userId);

    private async Task WatchAsync(string userId)
    {
        try
        {
            await _watch.WatchAsync(userId);
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
            // No unwatch after the last: the session cache may rely on the same watch; the renewals stop and the lease lapses.
            _byUser.RemoveSocket(userId, socket);
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
