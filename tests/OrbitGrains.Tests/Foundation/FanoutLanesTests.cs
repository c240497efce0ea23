using System.Collections.Concurrent;
using OrbitGrains.WebFrontend.Sockets;

namespace OrbitGrains.Tests.Foundation;

public sealed class FanoutLanesTests
{
    [Fact]
    public async Task Work_of_one_key_runs_in_posting_order_and_every_item_runs()
    {
        var seen = new ConcurrentDictionary<string, ConcurrentQueue<int>>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        const int keys = 37, perKey = 2_000;
        var total = 0;
        var lanes = new FanoutLanes<(string Key, int Seq)>(work =>
        {
            seen.GetOrAdd(work.Key, _ => new ConcurrentQueue<int>()).Enqueue(work.Seq);
            if (Interlocked.Increment(ref total) == keys * perKey)
            {
                done.SetResult();
            }
        }, ex => done.TrySetException(ex), lanes: 8);

        for (var seq = 0; seq < perKey; seq++)
        {
            for (var k = 0; k < keys; k++)
            {
                lanes.Post($"room-{k}", ($"room-{k}", seq));
            }
        }

        await done.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(keys, seen.Count);
        Assert.All(seen.Values, order => Assert.Equal(Enumerable.Range(0, perKey), order));
    }

    [Fact]
    public async Task A_failing_item_is_reported_and_the_lane_goes_on()
    {
        var failures = new ConcurrentQueue<Exception>();
        var ran = new ConcurrentQueue<int>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var lanes = new FanoutLanes<int>(n =>
        {
            if (n == 1)
            {
                throw new InvalidOperationException("boom");
            }

            ran.Enqueue(n);
            if (n == 2)
            {
                done.SetResult();
            }
        }, failures.Enqueue, lanes: 1);

        lanes.Post("k", 0);
        lanes.Post("k", 1);
        lanes.Post("k", 2);

        await done.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal([0, 2], ran);
        Assert.Equal("boom", Assert.Single(failures).Message);
    }
}
