using OrbitGrains.WebFrontend.Sockets;

namespace OrbitGrains.Tests.Foundation;

/// <summary>The node-wide allowance for big messages: waits in order, gives up on time, never leaks what it hands out.</summary>
public sealed class ByteBudgetTests
{
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task A_request_waits_while_the_budget_is_taken_and_gets_it_when_bytes_come_back()
    {
        var budget = new ByteBudget(1000);
        Assert.True(await budget.TryReserveAsync(800, Long, TimeProvider.System, CancellationToken.None));

        var waiting = budget.TryReserveAsync(500, Long, TimeProvider.System, CancellationToken.None);
        Assert.False(waiting.IsCompleted);

        budget.Release(800);
        Assert.True(await waiting);
        Assert.Equal(500, budget.Held);
    }

    [Fact]
    public async Task Waiters_are_served_in_order_so_a_big_read_is_not_starved_by_small_ones()
    {
        var budget = new ByteBudget(1000);
        Assert.True(await budget.TryReserveAsync(1000, Long, TimeProvider.System, CancellationToken.None));
        var big = budget.TryReserveAsync(900, Long, TimeProvider.System, CancellationToken.None);
        var small = budget.TryReserveAsync(100, Long, TimeProvider.System, CancellationToken.None);

        budget.Release(100);
        Assert.False(big.IsCompleted);
        Assert.False(small.IsCompleted); // behind the big one, although 100 bytes are free

        budget.Release(900);
        Assert.True(await big);
        Assert.True(await small);
        Assert.Equal(1000, budget.Held);
    }

    [Fact]
    public async Task A_request_that_waits_too_long_gets_nothing_and_lets_the_next_one_through()
    {
        var budget = new ByteBudget(1000);
        Assert.True(await budget.TryReserveAsync(600, Long, TimeProvider.System, CancellationToken.None));
        var impatient = budget.TryReserveAsync(900, TimeSpan.FromMilliseconds(50), TimeProvider.System, CancellationToken.None);
        var patient = budget.TryReserveAsync(300, Long, TimeProvider.System, CancellationToken.None);

        Assert.False(await impatient);
        Assert.True(await patient);
        Assert.Equal(900, budget.Held);
    }

    [Fact]
    public async Task More_than_the_whole_budget_is_refused_at_once()
    {
        var budget = new ByteBudget(1000);
        Assert.False(await budget.TryReserveAsync(1001, Long, TimeProvider.System, CancellationToken.None));
        Assert.Equal(0, budget.Held);
    }

    [Fact]
    public async Task Many_concurrent_readers_never_hold_more_than_the_budget_and_give_everything_back()
    {
        var budget = new ByteBudget(10_000);
        var peak = 0L;
        await Task.WhenAll(Enumerable.Range(0, 64).Select(i => Task.Run(async () =>
        {
            for (var n = 0; n < 50; n++)
            {
                var bytes = 1000 + (i * 37 + n * 11) % 4000;
                Assert.True(await budget.TryReserveAsync(bytes, Long, TimeProvider.System, CancellationToken.None));
                var held = budget.Held;
                Assert.InRange(held, bytes, budget.Capacity);
                InterlockedMax(ref peak, held);
                await Task.Yield();
                budget.Release(bytes);
            }
        })));

        Assert.Equal(0, budget.Held);
        Assert.InRange(peak, 1, budget.Capacity);
    }

    private static void InterlockedMax(ref long target, long value)
    {
        long seen;
        while (value > (seen = Interlocked.Read(ref target)) && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
