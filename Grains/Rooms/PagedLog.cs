namespace OrbitGrains.Rooms;

/// <summary>
/// The page arithmetic shared by the audit log and recordings: entries are numbered from 1 and stored
/// <see cref="PageSize"/> to a sealed page, so appending never rewrites what is already stored.
/// </summary>
internal static class PagedLog
{
    public const int PageSize = 200;

    /// <summary>The page holding <paramref name="sequence"/> in a log of <paramref name="pageSize"/> entries a page.</summary>
    public static long PageOf(long sequence, int pageSize = PageSize) => (sequence - 1) / pageSize;

    public static string PageKey(string logKey, long page) => $"{logKey}#{page}";

    /// <summary>Reads entries after <paramref name="after"/> from sealed pages and then the open tail, in order.</summary>
    public static async Task<(T[] Entries, long? NextAfter)> ReadAsync<T>(
        long after, int limit, long count, IReadOnlyList<T> open, Func<T, long> sequenceOf, Func<long, Task<T[]>> sealedPage,
        int pageSize = PageSize)
    {
        limit = Math.Clamp(limit, 1, 1000);
        after = Math.Max(0, after);
        var result = new List<T>(Math.Min(limit, 256));
        var openFirst = open.Count > 0 ? sequenceOf(open[0]) : count + 1;
        var next = after + 1;
        while (result.Count < limit && next <= count)
        {
            var entries = next >= openFirst ? open : await sealedPage(PageOf(next, pageSize));
            var before = result.Count;
            result.AddRange(entries.Where(e => sequenceOf(e) >= next).Take(limit - result.Count));
            if (result.Count == before)
            {
                break;
            }

            next = sequenceOf(result[^1]) + 1;
        }

        long? nextAfter = result.Count > 0 && sequenceOf(result[^1]) < count ? sequenceOf(result[^1]) : null;
        return (result.ToArray(), nextAfter);
    }
}
