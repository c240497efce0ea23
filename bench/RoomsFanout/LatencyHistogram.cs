using System.Diagnostics;

namespace OrbitGrains.Bench.RoomsFanout;

/// <summary>Latencies in 10 µs buckets up to 2 s (anything slower lands in the last bucket); lock-free adds.</summary>
internal sealed class LatencyHistogram
{
    private const double BucketMs = 0.01;
    private readonly long[] _buckets = new long[200_000];
    private long _count;
    private long _maxTicks;

    public long MeasureFrom { get; set; } = long.MaxValue;

    public long Count => Interlocked.Read(ref _count);

    public double MaxMs => _maxTicks * 1000.0 / Stopwatch.Frequency;

    public void Add(long sentTimestamp, long receivedTimestamp)
    {
        if (sentTimestamp < MeasureFrom)
        {
            return;
        }

        var ticks = receivedTimestamp - sentTimestamp;
        var bucket = (int)Math.Min(_buckets.Length - 1, ticks * 1000.0 / Stopwatch.Frequency / BucketMs);
        Interlocked.Increment(ref _buckets[bucket]);
        Interlocked.Increment(ref _count);
        long max;
        while (ticks > (max = Interlocked.Read(ref _maxTicks)) && Interlocked.CompareExchange(ref _maxTicks, ticks, max) != max)
        {
        }
    }

    public double Percentile(double p)
    {
        var target = (long)Math.Ceiling(p * Count);
        long seen = 0;
        for (var i = 0; i < _buckets.Length; i++)
        {
            seen += _buckets[i];
            if (seen >= target && target > 0)
            {
                return (i + 1) * BucketMs;
            }
        }

        return 0;
    }
}
