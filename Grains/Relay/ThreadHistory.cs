using OrbitGrains.Rooms;

namespace OrbitGrains.Relay;

/// <summary>
/// One of a thread's two paged logs (messages or artifacts) over the lists of <see cref="ThreadState"/>: appends go to
/// the open page; a page that reaches <see cref="ThreadHistoryOptions.PageBytes"/> is sealed into its own
/// <see cref="ISealedPageGrain{TEntry}"/> (`{log}#{n}`); sealed pages beyond the retention are deleted, oldest first.
/// </summary>
internal sealed class ThreadHistory<T>(
    IGrainFactory grains, string logKey, List<T> open, List<HistoryPage> pages, Func<T, long> sizeOf, Func<T, long> idOf)
{
    public long OpenBytes => open.Sum(sizeOf);

    public void Append(T entry) => open.Add(entry);

    /// <summary>
    /// Seals full pages off the front of the open page (a row stored before paging may hold several pages' worth);
    /// each sealed page is recorded in the state's list. Returns the number of the next page.
    /// </summary>
    public async Task<long> SealFullPagesAsync(long pageBytes, long nextPage)
    {
        while (true)
        {
            long bytes = 0;
            var count = 0;
            while (count < open.Count && bytes < pageBytes)
            {
                bytes += sizeOf(open[count++]);
            }

            if (bytes < pageBytes)
            {
                return nextPage;
            }

            var entries = open.GetRange(0, count).ToArray();
            // Stored before the state forgets them: a crash in between seals the same page again, never loses it.
            await Page(nextPage).Seal(entries);
            pages.Add(new HistoryPage(nextPage, entries.Length, bytes, idOf(entries[0])));
            open.RemoveRange(0, count);
            nextPage++;
        }
    }

    /// <summary>Forgets the oldest sealed pages beyond <paramref name="retainedBytes"/>; returns them, to be deleted once the state is stored.</summary>
    public List<HistoryPage> Trim(long retainedBytes)
    {
        var dropped = new List<HistoryPage>();
        var total = pages.Sum(p => p.Bytes);
        while (pages.Count > 0 && total > retainedBytes)
        {
            total -= pages[0].Bytes;
            dropped.Add(pages[0]);
            pages.RemoveAt(0);
        }

        return dropped;
    }

    public Task DeleteAsync(IEnumerable<HistoryPage> dropped) => Task.WhenAll(dropped.Select(p => Page(p.Number).Clear()));

    /// <summary>
    /// Up to <paramref name="limit"/> entries, newest first, that <paramref name="take"/> accepts, reading sealed pages
    /// (newest first) only as far as needed; <paramref name="skipPage"/> names pages that cannot hold any.
    /// </summary>
    public async Task<List<T>> NewestAsync(int limit, Func<T, bool> take, Func<HistoryPage, bool> skipPage)
    {
        var result = new List<T>(Math.Min(limit, 256));
        result.AddRange(open.AsEnumerable().Reverse().Where(take).Take(limit));
        for (var i = pages.Count - 1; i >= 0 && result.Count < limit; i--)
        {
            if (skipPage(pages[i]))
            {
                continue;
            }

            var entries = await Page(pages[i].Number).Entries();
            result.AddRange(entries.Reverse().Where(take).Take(limit - result.Count));
        }

        return result;
    }

    /// <summary>Whether any entry older than the open page is still retained.</summary>
    public bool HasSealed => pages.Count > 0;

    private ISealedPageGrain<T> Page(long number) => grains.GetGrain<ISealedPageGrain<T>>(PagedLog.PageKey(logKey, number));
}
