using OrbitGrains.Accounts;

namespace OrbitGrains.WebFrontend.Hosting.Access;

/// <summary>
/// This front end's one watch on accounts: a single <see cref="IAccountWatch"/> object reference that an account's
/// grain holds under one lease however many parts of this front end rely on it (<see cref="AccountSockets"/> for open
/// sockets, the web session cache for cached sign-ins), and whose every notice goes to each of them. So an account
/// has one watcher and one lease per front end, renewed by whichever part needs it next.
/// </summary>
/// <remarks>
/// Every renewal has the same length, <see cref="Lease"/>: the grain keeps the expiry of the renewal that reached it
/// last, so renewals of different lengths could cut short a longer one a part relies on, while with one length the
/// last to arrive holds longest. There is no unwatch: a part done with an account cannot end a watch another part
/// still relies on, so the last one stops renewing and the lease lapses, as it does for a front end that dies.
/// </remarks>
public sealed class AccountWatch : IAccountWatch
{
    /// <summary>How long the watch on an account holds without renewal (the grain's clock, from the renewal's arrival).</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);

    private readonly IGrainFactory _grains;
    private readonly TimeProvider _clock;
    private readonly Lazy<IAccountWatch> _reference;
    private readonly Lock _gate = new();
    private IAccountWatch[] _consumers = [];

    public AccountWatch(IGrainFactory grains, TimeProvider clock)
    {
        (_grains, _clock) = (grains, clock);
        // One reference for the front end's life: a second one would be a second watcher of every account.
        _reference = new Lazy<IAccountWatch>(() => grains.CreateObjectReference<IAccountWatch>(this), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>Adds a part that receives every notice; its methods only update memory and never call a grain back.</summary>
    public void Listen(IAccountWatch consumer)
    {
        lock (_gate)
        {
            _consumers = [.. _consumers, consumer];
        }
    }

    /// <summary>
    /// Registers or renews the watch on account <paramref name="userId"/>; returns a time until which it holds at
    /// least (taken before the call, so never later than the grain's own expiry). Throws what the grain call threw
    /// (<see cref="TimeoutException"/>, <see cref="OrleansException"/>) when it could not be registered.
    /// </summary>
    public async Task<DateTimeOffset> WatchAsync(string userId)
    {
        var until = _clock.GetUtcNow() + Lease;
        await _grains.GetGrain<IUserGrain>(userId).Watch(_reference.Value, Lease);
        return until;
    }

    public Task UserChanged(UserRecord user) => Forward(consumer => consumer.UserChanged(user));

    public Task FamilyRevoked(string userId, string familyId) => Forward(consumer => consumer.FamilyRevoked(userId, familyId));

    public Task SessionEnded(string userId, string sessionId) => Forward(consumer => consumer.SessionEnded(userId, sessionId));

    public Task WatchEnded(string userId) => Forward(consumer => consumer.WatchEnded(userId));

    /// <summary>The notice to every part; the grain's wait for this front end's answer covers all of them.</summary>
    private Task Forward(Func<IAccountWatch, Task> notice) => Task.WhenAll(Volatile.Read(ref _consumers).Select(notice));
}
