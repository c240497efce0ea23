using OrbitGrains.Hosting;

namespace OrbitGrains.Pipeline;

/// <summary>
/// The list of jobs, newest first, and pipeline.max_concurrent_jobs: which jobs run and which wait, in order of
/// creation. Holds ids only: the job grains own everything else. One activation in the cluster makes the limit
/// cluster-wide.
/// </summary>
/// <remarks>
/// It never waits on a job (a queued job's turn is announced with a one-way <see cref="IPipelineJobGrain.Start"/>),
/// so a job calling in here while the index announces a turn cannot deadlock. A lost announcement is made up by the
/// job's watchdog reminder, which asks again.
/// </remarks>
public sealed class JobIndexGrain(
    [PersistentState("pipeline-index", OrbitStorageNames.GrainState)] IPersistentState<JobIndexState> state) : Grain, IJobIndexGrain
{
    private JobIndexState S => state.State;

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
            S.Queued.Add(jobId);
            changed = true;
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

    public Task<JobPage> Page(int offset, int limit)
    {
        var ids = S.Ids;
        var total = ids.Count;
        offset = Math.Clamp(offset, 0, total);
        limit = Math.Clamp(limit, 0, total - offset);
        var page = new string[limit];
        for (var i = 0; i < limit; i++)
        {
            page[i] = ids[total - 1 - offset - i];
        }

        return Task.FromResult(new JobPage(page, total));
    }

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
    [Id(0)] public List<string> Ids { get; set; } = [];

    /// <summary>Admitted jobs not yet completed, failed or canceled: what pipeline.max_concurrent_jobs counts.</summary>
    [Id(1)] public HashSet<string> Active { get; set; } = [];

    /// <summary>Jobs waiting for a place, oldest first.</summary>
    [Id(2)] public List<string> Queued { get; set; } = [];

    /// <summary>The limit the newest creation asked for (0: none); applied when places free up.</summary>
    [Id(3)] public int MaxActive { get; set; }
}
