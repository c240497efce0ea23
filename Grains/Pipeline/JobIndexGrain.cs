using OrbitGrains.Hosting;

namespace OrbitGrains.Pipeline;

/// <summary>
/// The list of jobs, newest first, and pipeline.max_concurrent_jobs: which jobs run and which wait, in order of
/// creation. Holds ids only: the job grains own everything else. One activation in the cluster makes the limit
/// cluster-wide. The list of ids is a paged log (<see cref="Rooms.PagedLog"/>): full pages of 200 ids are sealed into
/// their own grains (`pipeline-jobs#{n}`), so the index's own row stays small however many jobs were ever created.
/// </summary>
/// <remarks>
/// It never waits on a job (a queued job's turn is announced with a one-way <see cref="IPipelineJobGrain.Start"/>),
/// so a job calling in here while the index announces a turn cannot deadlock. A lost announcement is made up by the
/// job's watchdog reminder, which asks again.
/// </remarks>
public sealed class JobIndexGrain(
    [PersistentState("pipeline-index", OrbitStorageNames.GrainState)] IPersistentState<JobIndexState> state) : Grain, IJobIndexGrain
{
    private const string LogKey = "pipeline-jobs";

    private JobIndexState S => state.State;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // A row stored before paging holds every id in its open list: number them and seal the full pages now.
        if (S.Count == 0 && S.Ids.Count > 0)
        {
            S.Count = S.Ids.Count;
            if (await SealFullPagesAsync())
            {
                await state.WriteStateAsync(cancellationToken);
            }
        }
    }

    public async Task<Admission> Admit(string jobId, int maxActive)
    {
        S.MaxActive = Math.Max(0, maxActive);
        if (S.Active.Contains(jobId))
        {
            return new Admission(true, 0);
        }

        var changed = false;
        if (!S.Queued.Contains(jobId))
        {
            // Appended in creation order; creation times come from different silos' clocks, so the order of arrival is the truth.
            S.Ids.Add(jobId);
            S.Count++;
            S.Queued.Add(jobId);
            changed = true;
            await SealFullPagesAsync();
        }

        var started = Promote();
        changed |= started.Count > 0;
        if (changed)
        {
            await state.WriteStateAsync();
        }

        Announce(started.Where(id => id != jobId));
        var position = S.Queued.IndexOf(jobId);
        return position < 0 ? new Admission(true, 0) : new Admission(false, position + 1);
    }

    public async Task Finished(string jobId)
    {
        var removed = S.Active.Remove(jobId) | S.Queued.Remove(jobId);
        var started = Promote();
        if (removed || started.Count > 0)
        {
            await state.WriteStateAsync();
        }

        Announce(started);
    }

    public async Task<JobPage> Page(int offset, int limit)
    {
        var total = (int)S.Count;
        offset = Math.Clamp(offset, 0, total);
        limit = Math.Clamp(limit, 0, total - offset);
        var page = new string[limit];
        var sealedPages = new Dictionary<long, string[]>();
        for (var i = 0; i < limit; i++)
        {
            // Sequence numbers run from 1 (the oldest job); the page shows the newest first.
            var sequence = total - offset - i;
            if (sequence > S.Sealed)
            {
                page[i] = S.Ids[(int)(sequence - S.Sealed - 1)];
                continue;
            }

            var number = Rooms.PagedLog.PageOf(sequence);
            if (!sealedPages.TryGetValue(number, out var entries))
            {
                sealedPages[number] = entries = await PageGrain(number).Entries();
            }

            page[i] = entries[(int)((sequence - 1) % Rooms.PagedLog.PageSize)];
        }

        return new JobPage(page, total);
    }

    /// <summary>Seals full pages off the front of the open list (stored before the state forgets them); true when any was.</summary>
    private async Task<bool> SealFullPagesAsync()
    {
        var any = false;
        while (S.Ids.Count >= Rooms.PagedLog.PageSize)
        {
            await PageGrain(Rooms.PagedLog.PageOf(S.Sealed + 1)).Seal([.. S.Ids.Take(Rooms.PagedLog.PageSize)]);
            S.Ids.RemoveRange(0, Rooms.PagedLog.PageSize);
            S.Sealed += Rooms.PagedLog.PageSize;
            any = true;
        }

        return any;
    }

    private Rooms.ISealedPageGrain<string> PageGrain(long number) =>
        GrainFactory.GetGrain<Rooms.ISealedPageGrain<string>>(Rooms.PagedLog.PageKey(LogKey, number));

    /// <summary>Moves queued jobs, oldest first, into the free places; the ids that got one.</summary>
    private List<string> Promote()
    {
        var started = new List<string>();
        while (S.Queued.Count > 0 && (S.MaxActive == 0 || S.Active.Count < S.MaxActive))
        {
            var next = S.Queued[0];
            S.Queued.RemoveAt(0);
            S.Active.Add(next);
            started.Add(next);
        }

        return started;
    }

    private void Announce(IEnumerable<string> jobIds)
    {
        foreach (var id in jobIds)
        {
            _ = GrainFactory.GetGrain<IPipelineJobGrain>(id).Start();
        }
    }
}

[GenerateSerializer, Alias("OrbitGrains.Pipeline.JobIndexState")]
public sealed class JobIndexState
{
    /// <summary>The ids not yet sealed into pages, oldest first (sequence numbers <see cref="Sealed"/> + 1 ...).</summary>
    [Id(0)] public List<string> Ids { get; set; } = [];

    /// <summary>Jobs ever listed; 0 with a non-empty <see cref="Ids"/> in a row stored before paging.</summary>
    [Id(4)] public long Count { get; set; }

    /// <summary>Ids in sealed pages (a multiple of the page size).</summary>
    [Id(5)] public long Sealed { get; set; }

    /// <summary>Admitted jobs not yet completed, failed or canceled: what pipeline.max_concurrent_jobs counts.</summary>
    [Id(1)] public HashSet<string> Active { get; set; } = [];

    /// <summary>Jobs waiting for a place, oldest first.</summary>
    [Id(2)] public List<string> Queued { get; set; } = [];

    /// <summary>The limit the newest creation asked for (0: none); applied when places free up.</summary>
    [Id(3)] public int MaxActive { get; set; }
}
