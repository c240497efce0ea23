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

    /// <summary>
    /// Calls every watcher whose lease holds and waits until each has answered or <see cref="AnswerWithin"/> passed,
    /// so a change is known to every live front end when the caller hears of it; a dead front end delays it by that
    /// bound at most and never fails it.
    /// </summary>
    public Task NotifyAsync(Func<IAccountWatch, Task> call) =>
        Task.WhenAll(Live().Select(watcher => Answered(call(watcher))));

    /// <summary>Calls every watcher whose lease holds without waiting (one-way calls).</summary>
    public void Notify(Func<IAccountWatch, Task> call)
    {
        foreach (var watcher in Live())
        {
            _ = call(watcher);
        }
    }

    /// <summary>How long a change waits for one front end to take it in.</summary>
    public static readonly TimeSpan AnswerWithin = TimeSpan.FromSeconds(3);

    private List<IAccountWatch> Live()
    {
        var now = clock.GetUtcNow();
        var live = new List<IAccountWatch>(_leases.Count);
        foreach (var (watcher, until) in _leases.ToArray())
        {
            if (until <= now)
            {
                _leases.Remove(watcher);
            }
            else
            {
                live.Add(watcher);
            }
        }

        return live;
    }

    private static async Task Answered(Task call)
    {
        try
        {
            await call.WaitAsync(AnswerWithin);
        }
        catch (Exception)
        {
            // A front end that is gone or stuck: its lease lapses, and what it cached ends with it.
        }
    }
}
