using System.Collections.Concurrent;
using OrbitGrains.Accounts;
using OrbitGrains.Hosting;
using OrbitGrains.WebFrontend.Hosting.Access;

namespace OrbitGrains.WebFrontend.Accounts;

/// <summary>
/// This front end's memory of web sessions found live, with their accounts, so a request with a web access token
/// costs its signature check and no grain call while nothing about its sign-in changed (issue 10: the two grain reads
/// were most of an authenticated request's cost on one core; docs/accounts.md, "Session cache").
/// </summary>
/// <remarks>
/// Correctness rests on the account's watch (<see cref="IAccountWatch"/>), not on the entries' lifetime: before it
/// reads a session, the cache registers a watch with the account's grain, which answers a revocation, a role change or
/// a disable only after every watching front end has taken it in, and each such notice drops every entry of that
/// account. A notice that arrives while a lookup is reading wins over the lookup (a per-account generation), so a
/// revoked session is never cached after its notice. What the watch cannot carry is covered by dropping entries: the
/// account's activation going away (<see cref="IAccountWatch.WatchEnded"/>) and a silo declared dead (its activations'
/// watchers are lost with it). An entry lives <see cref="EntryLifetime"/> at most, never past its session's expiry or
/// the watch's lease, and the cache holds at most <see cref="MaxEntries"/> sessions (beyond that lookups go to the
/// grains uncached). The watch is the front end's one <see cref="AccountWatch"/>, shared with the sockets; the cache
/// receives its notices as a listener.
/// </remarks>
public sealed partial class WebSessionCache : BackgroundService, IAccountWatch
{
    /// <summary>The longest a session is answered from memory before its grains are asked again.</summary>
    public static readonly TimeSpan EntryLifetime = TimeSpan.FromSeconds(30);

    /// <summary>Sessions held at most (about 0.5 KiB each).</summary>
    public const int MaxEntries = 100_000;

    private readonly ConcurrentDictionary<string, Entry> _sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Account> _accounts = new(StringComparer.Ordinal);
    private readonly IGrainFactory _grains;
    private readonly AccountWatch _watch;
    private readonly IClusterMembershipService _membership;
    private readonly TimeProvider _clock;
    private readonly ILogger<WebSessionCache> _logger;

    public WebSessionCache(IGrainFactory grains, AccountWatch watch, IClusterMembershipService membership, TimeProvider clock, ILogger<WebSessionCache> logger)
    {
        (_grains, _watch, _membership, _clock, _logger) = (grains, watch, membership, clock, logger);
        watch.Listen(this);
    }

    /// <summary>
    /// The session <paramref name="sessionId"/> if it is live and belongs to <paramref name="userId"/>, with that
    /// account as it is now (null when the account does not exist); the session is null when it is not live.
    /// </summary>
    public async Task<(SessionStart? Session, UserRecord? User)> LookupAsync(string sessionId, string userId)
    {
        var now = _clock.GetUtcNow();
        if (_sessions.TryGetValue(sessionId, out var cached) && cached.Until > now && cached.Session.UserId == userId)
        {
            return (cached.Session, cached.User);
        }

        var account = _accounts.GetOrAdd(userId, _ => new Account());
        var (generation, watchedUntil) = account.Snapshot();
        if (watchedUntil - now < EntryLifetime * 2)
        {
            watchedUntil = await WatchAsync(userId, account, generation);
        }

        var sessionTask = _grains.GetGrain<ISessionGrain>(sessionId).GetLive();
        var userTask = _grains.GetGrain<IUserGrain>(userId).Get();
        var session = await sessionTask;
        var user = await userTask;
        if (session is not null && session.UserId == userId && user is not null && watchedUntil > now + EntryLifetime
            && _sessions.Count < MaxEntries)
        {
            var until = Min(now + EntryLifetime, session.ExpiresAt);
            account.AddIfUnchanged(generation, sessionId, () => _sessions[sessionId] = new Entry(session, user, until));
        }

        return (session, user);
    }

    public Task UserChanged(UserRecord user) => Forget(user.Id);

    public Task FamilyRevoked(string userId, string familyId) => Forget(userId);

    public Task SessionEnded(string userId, string sessionId) => Forget(userId);

    public Task WatchEnded(string userId) => Forget(userId);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(SweepAsync(stoppingToken), ForgetOnSiloDeathsAsync(stoppingToken));

    /// <summary>Registers the watch; returns until when it holds, or the past when it could not be registered.</summary>
    private async Task<DateTimeOffset> WatchAsync(string userId, Account account, long generation)
    {
        try
        {
            return account.Watched(generation, await _watch.WatchAsync(userId));
        }
        catch (Exception ex) when (ex is TimeoutException or OrleansException)
        {
            // Answered from the grains this time; the next lookup tries again.
            LogWatchFailed(ex, userId);
            return DateTimeOffset.MinValue;
        }
    }

    private Task Forget(string userId)
    {
        if (_accounts.TryGetValue(userId, out var account))
        {
            foreach (var sessionId in account.Forget())
            {
                _sessions.TryRemove(sessionId, out _);
            }
        }

        return Task.CompletedTask;
    }

    private async Task SweepAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(EntryLifetime, _clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var now = _clock.GetUtcNow();
                foreach (var (sessionId, entry) in _sessions)
                {
                    if (entry.Until <= now)
                    {
                        _sessions.TryRemove(KeyValuePair.Create(sessionId, entry));
                    }
                }

                foreach (var (userId, account) in _accounts)
                {
                    if (account.Idle(now, _sessions))
                    {
                        _accounts.TryRemove(KeyValuePair.Create(userId, account));
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task ForgetOnSiloDeathsAsync(CancellationToken stoppingToken)
    {
        await foreach (var _ in _membership.WatchSiloDeaths(stoppingToken))
        {
            // The accounts that lived there come back without this front end's watch: start over.
            foreach (var userId in _accounts.Keys)
            {
                await Forget(userId);
            }
        }
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Watching account {UserId} for cached sessions failed")]
    private partial void LogWatchFailed(Exception exception, string userId);

    private sealed record Entry(SessionStart Session, UserRecord User, DateTimeOffset Until);

    /// <summary>One account as this cache knows it: its watch, its cached sessions, and a generation every notice moves on.</summary>
    private sealed class Account
    {
        private readonly Lock _gate = new();
        private readonly HashSet<string> _sessionIds = new(StringComparer.Ordinal);
        private long _generation;
        private DateTimeOffset _watchedUntil = DateTimeOffset.MinValue;

        /// <summary>Swept out of the cache: a lookup still holding this object must not cache through it (no notice would find it).</summary>
        private bool _retired;

        public (long Generation, DateTimeOffset WatchedUntil) Snapshot()
        {
            lock (_gate)
            {
                return (_generation, _watchedUntil);
            }
        }

        /// <summary>Records a registered watch unless a notice came meanwhile (which may have been the watch ending).</summary>
        public DateTimeOffset Watched(long generation, DateTimeOffset until)
        {
            lock (_gate)
            {
                if (_retired || _generation != generation)
                {
                    return DateTimeOffset.MinValue;
                }

                if (until > _watchedUntil)
                {
                    _watchedUntil = until;
                }

                return _watchedUntil;
            }
        }

        /// <summary>Caches a session read under <paramref name="generation"/> unless a notice came since.</summary>
        public void AddIfUnchanged(long generation, string sessionId, Action add)
        {
            lock (_gate)
            {
                if (_retired || _generation != generation)
                {
                    return;
                }

                _sessionIds.Add(sessionId);
                add();
            }
        }

        /// <summary>A notice: every cached session of the account and the watch are forgotten; returns the sessions.</summary>
        public string[] Forget()
        {
            lock (_gate)
            {
                _generation++;
                _watchedUntil = DateTimeOffset.MinValue;
                var sessions = _sessionIds.ToArray();
                _sessionIds.Clear();
                return sessions;
            }
        }

        public bool Idle(DateTimeOffset now, ConcurrentDictionary<string, Entry> sessions)
        {
            lock (_gate)
            {
                _sessionIds.RemoveWhere(id => !sessions.ContainsKey(id));
                _retired = _sessionIds.Count == 0 && _watchedUntil <= now;
                return _retired;
            }
        }
    }
}
