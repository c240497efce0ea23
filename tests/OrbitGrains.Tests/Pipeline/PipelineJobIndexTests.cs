using Microsoft.Extensions.DependencyInjection;
using OrbitGrains.Hosting;
using OrbitGrains.Pipeline;
using Orleans.Storage;

namespace OrbitGrains.Tests.Pipeline;

/// <summary>The list of jobs is a paged log: listing reads across sealed pages, and the index's own row stays small.</summary>
public sealed class PipelineJobIndexTests : IAsyncLifetime
{
    private readonly TempDirectory _data = new("job-index");
    private RunningHost _host = null!;

    public async Task InitializeAsync() =>
        _host = await RunningHost.StartFrontEndAsync(RunningHost.IsolatedConfiguration(_data.Path, "job-index"));

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _data.Dispose();
    }

    private static string Job(int i) => $"job{i:D5}";

    [Fact]
    public async Task Pages_of_the_job_list_read_across_sealed_pages_newest_first_and_the_row_stays_small()
    {
        var index = _host.Grains.GetGrain<IJobIndexGrain>(IJobIndexGrain.Key);
        for (var i = 1; i <= 450; i++)
        {
            await index.Admit(Job(i), maxActive: 0);
            await index.Finished(Job(i));
        }

        var newest = await index.Page(0, 5);
        Assert.Equal(450, newest.Total);
        Assert.Equal([Job(450), Job(449), Job(448), Job(447), Job(446)], newest.JobIds);
        // Across the boundary of the open page and a sealed one, and inside the oldest sealed page.
        Assert.Equal([Job(402), Job(401), Job(400), Job(399)], (await index.Page(48, 4)).JobIds);
        Assert.Equal([Job(3), Job(2), Job(1)], (await index.Page(447, 10)).JobIds);

        var stored = await StoredAsync();
        Assert.Equal(450, stored.Count);
        Assert.Equal(50, stored.Ids.Count);
        Assert.Equal(400, stored.Sealed);
    }

    [Fact]
    public async Task A_row_stored_before_paging_is_moved_into_pages_when_the_index_wakes()
    {
        // A fresh host, so the index has not been activated before its old row is written.
        using var data = new TempDirectory("job-index-old");
        await using var host = await RunningHost.StartFrontEndAsync(RunningHost.IsolatedConfiguration(data.Path, "job-index-old"));
        var old = new JobIndexState { Ids = [.. Enumerable.Range(1, 450).Select(Job)] };
        await Storage(host).WriteStateAsync("pipeline-index", GrainId.Create("jobindex", IJobIndexGrain.Key), new GrainState<JobIndexState>(old));

        var index = host.Grains.GetGrain<IJobIndexGrain>(IJobIndexGrain.Key);
        var page = await index.Page(0, 3);
        Assert.Equal(450, page.Total);
        Assert.Equal([Job(450), Job(449), Job(448)], page.JobIds);
        Assert.Equal([Job(1)], (await index.Page(449, 3)).JobIds);
        Assert.Equal(50, (await StoredAsync(host)).Ids.Count);
    }

    private static IGrainStorage Storage(RunningHost host) => host.Services.GetRequiredKeyedService<IGrainStorage>(OrbitStorageNames.GrainState);

    private Task<JobIndexState> StoredAsync() => StoredAsync(_host);

    private static async Task<JobIndexState> StoredAsync(RunningHost host)
    {
        var read = new GrainState<JobIndexState>(new JobIndexState());
        await Storage(host).ReadStateAsync("pipeline-index", GrainId.Create("jobindex", IJobIndexGrain.Key), read);
        return read.State!;
    }
}
