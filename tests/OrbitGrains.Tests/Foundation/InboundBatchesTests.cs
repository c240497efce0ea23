using System.Collections.Concurrent;
using OrbitGrains.WebFrontend.Sockets;

namespace OrbitGrains.Tests.Foundation;

/// <summary>
/// The order, batching, backpressure and failure rules of <see cref="InboundBatches"/>, with a forward call the test
/// holds open or lets go.
/// </summary>
public sealed class InboundBatchesTests
{
    /// <summary>A forward that records each call and completes it only when the test says so.</summary>
    private sealed class HeldCalls
    {
        public ConcurrentQueue<(string[] Frames, TaskCompletionSource Done)> Calls { get; } = new();

        public SemaphoreSlim Arrived { get; } = new(0);

        public Task Forward(string[] frames)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Calls.Enqueue((frames, done));
            Arrived.Release();
            return done.Task;
        }

        public async Task<(string[] Frames, TaskCompletionSource Done)> NextAsync()
        {
            Assert.True(await Arrived.WaitAsync(TimeSpan.FromSeconds(10)), "no call arrived");
            Assert.True(Calls.TryDequeue(out var call));
            return call;
        }
    }

    [Fact]
    public async Task A_lone_frame_is_sent_at_once_and_frames_read_meanwhile_travel_together_next()
    {
        var calls = new HeldCalls();
        var batches = new InboundBatches(calls.Forward, ex => throw ex);

        Assert.True(batches.Accept("f0").IsCompleted);
        var first = await calls.NextAsync();
        Assert.Equal(["f0"], first.Frames);

        // The first call is in flight: the next frames wait, and the read loop is not held up.
        Assert.True(batches.Accept("f1").IsCompleted);
        Assert.True(batches.Accept("f2").IsCompleted);
        Assert.Equal(0, calls.Arrived.CurrentCount);

        first.Done.SetResult();
        var second = await calls.NextAsync();
        Assert.Equal(["f1", "f2"], second.Frames);
        second.Done.SetResult();
        await batches.FlushAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, calls.Arrived.CurrentCount);
    }

    [Fact]
    public async Task A_full_batch_holds_the_read_loop_until_it_is_handled()
    {
        var calls = new HeldCalls();
        var batches = new InboundBatches(calls.Forward, ex => throw ex);
        await batches.Accept("first");
        var inFlight = await calls.NextAsync();

        Task last = Task.CompletedTask;
        for (var i = 0; i < InboundBatches.MaxFrames; i++)
        {
            Assert.True(last.IsCompleted, $"the read loop waited at frame {i} of a batch that had room");
            last = batches.Accept($"f{i}");
        }

        Assert.False(last.IsCompleted);
        inFlight.Done.SetResult();
        var full = await calls.NextAsync();
        Assert.Equal(InboundBatches.MaxFrames, full.Frames.Length);
        Assert.False(last.IsCompleted);

        full.Done.SetResult();
        await last.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_frame_bigger_than_a_batch_holds_the_read_loop_until_it_is_handled()
    {
        // The socket keeps a big message's bytes counted against the node until its handler returns.
        var calls = new HeldCalls();
        var batches = new InboundBatches(calls.Forward, ex => throw ex);
        var big = batches.Accept(new string('x', InboundBatches.MaxChars));
        Assert.False(big.IsCompleted);

        (await calls.NextAsync()).Done.SetResult();
        await big.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Frames_from_a_fast_reader_all_arrive_once_in_order()
    {
        var received = new ConcurrentQueue<string>();
        var callsSeen = 0;
        var batches = new InboundBatches(async frames =>
        {
            Interlocked.Increment(ref callsSeen);
            await Task.Yield();
            foreach (var frame in frames)
            {
                received.Enqueue(frame);
            }
        }, ex => throw ex);

        const int count = 20_000;
        for (var i = 0; i < count; i++)
        {
            await batches.Accept(i.ToString());
        }

        await batches.FlushAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(Enumerable.Range(0, count).Select(i => i.ToString()), received);
        Assert.True(callsSeen < count, $"{callsSeen} calls for {count} frames: nothing was batched");
    }

    [Fact]
    public async Task A_failed_call_is_reported_once_and_later_frames_go_nowhere()
    {
        var calls = new HeldCalls();
        var faults = new ConcurrentQueue<Exception>();
        var batches = new InboundBatches(calls.Forward, faults.Enqueue);
        await batches.Accept("f0");
        var first = await calls.NextAsync();
        await batches.Accept("f1");

        var failure = new InvalidOperationException("grain failed");
        first.Done.SetException(failure);
        await batches.FlushAsync().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Same(failure, Assert.Single(faults));
        Assert.True(batches.Accept("f2").IsCompleted);
        await batches.FlushAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, calls.Arrived.CurrentCount);
        Assert.Single(faults);
    }

    [Fact]
    public async Task Flush_waits_for_the_call_in_flight_and_the_frames_behind_it()
    {
        var calls = new HeldCalls();
        var batches = new InboundBatches(calls.Forward, ex => throw ex);
        await batches.Accept("f0");
        var first = await calls.NextAsync();
        await batches.Accept("f1");

        var flushed = batches.FlushAsync();
        Assert.False(flushed.IsCompleted);
        first.Done.SetResult();
        var second = await calls.NextAsync();
        Assert.Equal(["f1"], second.Frames);
        Assert.False(flushed.IsCompleted);
        second.Done.SetResult();
        await flushed.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
