using OrbitGrains.Hosting;

namespace OrbitGrains.Pipeline;

/// <summary>The list of jobs, newest first. Holds ids only: the job grains own everything else.</summary>
public sealed class JobIndexGrain(
    [PersistentState("pipeline-index", OrbitStorageNames.GrainState)] IPersistentState<JobIndexState> state) : Grain, IJobIndexGrain
{
    public async Task<bool> TryAdd(string jobId, int maxActive)
    {
        if (state.State.Active.Contains(jobId))
        {
            return true;
        }

        if (maxActive > 0 && state.State.Active.Count >= maxActive)
        {
            return false;
        }

        // Appended in creation order; creation times come from different silos' clocks, so the order of arrival is the truth.
        state.State.Ids.Add(jobId);
        state.State.Active.Add(jobId);
        await state.WriteStateAsync();
        return true;
    }

    public async Task Finished(string jobId)
    {
        if (state.State.Active.Remove(jobId))
        {
            await state.WriteStateAsync();
        }
    }

    public Task<JobPage> Page(int offset, int limit)
    {
        var ids = state.State.Ids;
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
}

[GenerateSerializer, Alias("OrbitGrains.Pipeline.JobIndexState")]
public sealed class JobIndexState
{
    [Id(0)] public List<string> Ids { get; set; } = [];

    /// <summary>Jobs not yet completed, failed or canceled: what pipeline.max_concurrent_jobs counts.</summary>
    [Id(1)] public HashSet<string> Active { get; set; } = [];
}
