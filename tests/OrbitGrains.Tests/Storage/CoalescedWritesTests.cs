using OrbitGrains.Hosting;

namespace OrbitGrains.Tests.Storage;

/// <summary>The grain-side write coalescing the Agents workspace uses for its interleaving spend calls.</summary>
public sealed class CoalescedWritesTests
{
    /// <summary>A write the test finishes by hand, counting how many were started.</summary>
    private sealed class ManualStore
    {
        private readonly List<TaskCompletionSource> _writes = [];

        public int Started => _writes.Count;

        public Task Write()
        {
            var write = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _writes.Add(write);
            return write.Task;
        }

        public void Finish(int index, Exception? error = null)
        {
            if (error is null)
            {
                _writes[index].SetResult();
            }
            else
            {
                _writes[index].SetException(error);
            }
        }
    }

    [Fact]
    public async Task Calls_made_while_a_write_runs_share_the_one_next_write_and_never_run_two_at_once()
    {
        var store = new ManualStore();
        var writes = new CoalescedWrites(store.Write);

        var first = writes.WriteAsync();
        var second = writes.WriteAsync();
        var third = writes.WriteAsync();
        Assert.Equal(1, store.Started);
        Assert.Same(second, third);

        store.Finish(0);
        await first;
        await Eventually.TrueAsync(() => store.Started == 2, "the next write starts once the first is done");
        Assert.False(second.IsCompleted);
        store.Finish(1);
        await Task.WhenAll(second, third);
        Assert.Equal(2, store.Started);

        // Idle again: a new call writes at once.
        var fourth = writes.WriteAsync();
        Assert.Equal(3, store.Started);
        store.Finish(2);
        await fourth;
    }

    [Fact]
    public async Task A_failed_write_fails_the_calls_that_shared_it_and_the_next_write_still_runs()
    {
        var store = new ManualStore();
        var writes = new CoalescedWrites(store.Write);

        var failing = writes.WriteAsync();
        var next = writes.WriteAsync();
        store.Finish(0, new IOException("disk full"));
        await Assert.ThrowsAsync<IOException>(() => failing);

        await Eventually.TrueAsync(() => store.Started == 2, "the queued write runs after the failed one");
        store.Finish(1);
        await next;
    }
}
