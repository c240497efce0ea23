namespace OrbitGrains.Accounts;

/// <summary>
/// The front ends watching one account, each until its lease lapses. In memory on purpose: a watch is renewed far more
/// often than it lapses, so an activation that lost its watchers has them back within one renewal.
/// </summary>
internal sealed class AccountWatchers(TimeProvider clock)
{
    private readonly Dictionary<IAccountWatch, DateTimeOffset> _leases = [];

    public void Renew(IAccountWatch watcher, TimeSpan lease) => _leases[watcher] = clock.GetUtcNow() + lease;

    public void Remove(IAccountWatch watcher) => _leases.Remove(watcher);

    /// <summary>Calls every watcher whose lease holds (one-way calls: a dead front end cannot stall the account).</summary>
    public void Notify(Func<IAccountWatch, Task> call)
    {
        var now = clock.GetUtcNow();
        foreach (var (watcher, until) in _leases.ToArray())
        {
            if (until <= now)
            {
                _leases.Remove(watcher);
                continue;
            }

            _ = call(watcher);
        }
    }
}
