using System.Collections.Concurrent;
using OrbitGrains.Accounts;
using OrbitGrains.Hosting;

namespace OrbitGrains.WebFrontend.Hosting.Access;

/// <summary>
/// Starts the <see cref="AccessLease"/> of every long-lived request (event streams, instance proxies) and caps how many
/// one person holds open on this front end at once: MAX_OPEN_STREAMS_PER_USER, default 32 (1 to 100,000). Each open
/// request holds memory and a subscription until its client goes, so without a cap one account could hold a node's
/// memory with thousands of them; a person's tabs, desktops and agents stay far below it. Past the cap the next request
/// is refused (429 for a stream, close 1013 Try Again Later for a proxy) until one of theirs closes.
/// </summary>
public sealed class AccessLeases(int maxPerUser)
{
    public const int DefaultMaxPerUser = 32;

    private readonly ConcurrentDictionary<string, int> _open = new(StringComparer.Ordinal);

    /// <summary>The most long-lived requests one person holds open on this front end.</summary>
    public int MaxPerUser { get; } = maxPerUser;

    /// <summary>The refusal's message (for a stream's error body and a proxy's close reason).</summary>
    public const string TooMany = "Too many open streams for this account.";

    /// <summary>A refused stream's Retry-After: one of the person's open requests must close first.</summary>
    public const int RetryAfterSeconds = 5;

    /// <summary>Reads MAX_OPEN_STREAMS_PER_USER; throws <see cref="OrbitConfigurationException"/> at start for a value out of range.</summary>
    public static AccessLeases FromConfiguration(IConfiguration configuration)
    {
        var text = configuration["MAX_OPEN_STREAMS_PER_USER"];
        if (string.IsNullOrWhiteSpace(text))
        {
            return new AccessLeases(DefaultMaxPerUser);
        }

        return int.TryParse(text, out var value) && value is >= 1 and <= 100_000
            ? new AccessLeases(value)
            : throw new OrbitConfigurationException($"MAX_OPEN_STREAMS_PER_USER='{text}' must be a whole number from 1 to 100000.");
    }

    /// <summary>
    /// The lease of a long-lived request of <paramref name="user"/> (see <see cref="AccessLease.StartAsync"/>), or null
    /// when that person already holds <see cref="MaxPerUser"/> open here. A caller naming no person is not counted.
    /// </summary>
    public async Task<AccessLease?> StartAsync(HttpContext http, CurrentUser user, Func<UserRecord, bool>? allows = null)
    {
        if (user.Id is not { } userId)
        {
            return await AccessLease.StartAsync(http, user, allows, release: null);
        }

        if (!TryTake(userId))
        {
            return null;
        }

        // A lease that fails to start is disposed by its start, which gives the slot back.
        return await AccessLease.StartAsync(http, user, allows, release: () => Release(userId));
    }

    /// <summary>How many long-lived requests <paramref name="userId"/> holds open here.</summary>
    public int OpenOf(string userId) => _open.GetValueOrDefault(userId);

    private bool TryTake(string userId)
    {
        while (true)
        {
            var current = _open.GetValueOrDefault(userId);
            if (current >= MaxPerUser)
            {
                return false;
            }

            if (current == 0 ? _open.TryAdd(userId, 1) : _open.TryUpdate(userId, current + 1, current))
            {
                return true;
            }
        }
    }

    private void Release(string userId)
    {
        while (_open.TryGetValue(userId, out var current))
        {
            // The last one removes the entry, so people who are gone leave nothing behind.
            if (current <= 1 ? _open.TryRemove(new KeyValuePair<string, int>(userId, current)) : _open.TryUpdate(userId, current - 1, current))
            {
                return;
            }
        }
    }
}
