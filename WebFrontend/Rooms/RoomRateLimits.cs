using System.Collections.Concurrent;

namespace OrbitGrains.WebFrontend.Rooms;

/// <summary>
/// Token buckets shared by all room sockets of this front end: socket opens per address, and messages per address
/// and per token (a token used from many sockets, or many sockets from one address, share one allowance). They
/// hold per front end, not across the cluster; a shared cluster-wide bucket would cost a grain call per message.
/// </summary>
public sealed class RoomRateLimits(RoomsOptions options, TimeProvider clock)
{
    private const int SweepThreshold = 10_000;
    private readonly ConcurrentDictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);

    public bool TryConnect(string? address) => Take($"c|{address}", options.ConnectsPerSecondPerAddress);

    public bool TryMessage(string? address, string tokenKey) =>
        Take($"a|{address}", options.MessagesPerSecondPerAddress) && Take($"t|{tokenKey}", options.MessagesPerSecondPerToken);

    private bool Take(string key, int perSecond)
    {
        if (_buckets.Count > SweepThreshold)
        {
            Sweep();
        }

        var bucket = _buckets.GetOrAdd(key, _ => new Bucket(perSecond * 2.0, clock.GetTimestamp()));
        lock (bucket)
        {
            var now = clock.GetTimestamp();
            bucket.Tokens = Math.Min(perSecond * 2.0, bucket.Tokens + clock.GetElapsedTime(bucket.Last, now).TotalSeconds * perSecond);
            bucket.Last = now;
            if (bucket.Tokens < 1)
            {
                return false;
            }

            bucket.Tokens -= 1;
            return true;
        }
    }

    /// <summary>Buckets idle for a minute are full again, so forgetting them changes nothing but memory.</summary>
    private void Sweep()
    {
        var now = clock.GetTimestamp();
        foreach (var (key, bucket) in _buckets)
        {
            if (clock.GetElapsedTime(bucket.Last, now) > TimeSpan.FromMinutes(1))
            {
                _buckets.TryRemove(key, out _);
            }
        }
    }

    private sealed class Bucket(double tokens, long last)
    {
        public double Tokens { get; set; } = tokens;
        public long Last { get; set; } = last;
    }
}
