namespace OrbitGrains.Tests.Accounts;

/// <summary>
/// Makes a race happen every time instead of by luck: once armed for one method of one grain, every call the host
/// makes to it is held after its answer until the given number of callers have had theirs, so they all act on what
/// they read before any of them goes on. Holding after the answer, on the caller's side, keeps the grain free.
/// </summary>
public sealed class CallGate : IOutgoingGrainCallFilter
{
    /// <summary>Long enough for any machine to bring the other callers; only a test that is wrong waits this long.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private Armed? _armed;

    /// <summary>Holds the next <paramref name="callers"/> calls to <paramref name="method"/> of the grain keyed <paramref name="key"/>.</summary>
    public void Arm<TGrain>(string method, string key, int callers) where TGrain : IGrain =>
        Volatile.Write(ref _armed, new Armed(typeof(TGrain), method, key, callers));

    public async Task Invoke(IOutgoingGrainCallContext context)
    {
        await context.Invoke();
        if (Volatile.Read(ref _armed) is { } armed && armed.Matches(context))
        {
            if (armed.Arrive())
            {
                // Every caller is through: later calls pass freely.
                Interlocked.CompareExchange(ref _armed, null, armed);
            }

            await armed.AllArrived.WaitAsync(Patience);
        }
    }

    private sealed class Armed(Type grain, string method, string key, int callers)
    {
        private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _arrived;

        public Task AllArrived => _all.Task;

        public bool Matches(IOutgoingGrainCallContext context) =>
            context.InterfaceMethod?.DeclaringType == grain && context.InterfaceMethod.Name == method && context.TargetId.Key.ToString() == key;

        /// <summary>Counts a caller in; true for the last one, which opens the gate.</summary>
        public bool Arrive()
        {
            if (Interlocked.Increment(ref _arrived) != callers)
            {
                return false;
            }

            _all.TrySetResult();
            return true;
        }
    }
}
