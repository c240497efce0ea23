namespace OrbitGrains.Hosting;

/// <summary>
/// One grain's state writes, coalesced: a caller that changed the state in memory awaits a write that starts after its
/// change, and every caller that changed it while a write was in flight shares the single next write. So a grain whose
/// calls interleave (a hot counter many callers add to) makes one write per storage round trip instead of one per call,
/// and never two writes at once (which the grain's storage would refuse on its ETag).
/// </summary>
/// <remarks>
/// Runs on the grain's own scheduler (one thread at a time), so it needs no locks. Every write of the grain's state
/// must go through it once any of its methods may interleave. A failed write fails every caller that shared it; their
/// changes stay in memory and go with the next write, as a retried write of the same state would.
/// </remarks>
public sealed class CoalescedWrites(Func<Task> write)
{
    private Task? _inFlight;
    private Task? _next;

    /// <summary>Completes when a write that started after this call has finished; throws what that write threw.</summary>
    public Task WriteAsync()
    {
        if (_next is not null)
        {
            return _next;
        }

        if (_inFlight is null)
        {
            return _inFlight = RunAsync();
        }

        return _next = AfterAsync(_inFlight);
    }

    private async Task RunAsync()
    {
        try
        {
            await write();
        }
        finally
        {
            _inFlight = null;
        }
    }

    private async Task AfterAsync(Task previous)
    {
        try
        {
            await previous;
        }
        catch
        {
            // That write's callers hear of its failure; this one is a new attempt with everything changed since.
        }

        _next = null;
        await (_inFlight = RunAsync());
    }
}
