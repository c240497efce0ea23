using System.Collections.Concurrent;

namespace OrbitGrains.WebFrontend.Sockets;

/// <summary>
/// Takes fan-outs off the thread that receives them and runs them on the thread pool, in arrival order per key.
/// </summary>
/// <remarks>
/// A hub is one grain observer, and Orleans hands an observer its calls one at a time; writing every socket of
/// every room on that one thread would cap a node's fan-out at one core. Here each fan-out is one work item
/// (not one per socket), different keys run in parallel, and frames of one key (a room, a user) reach every
/// socket in the order the grain sent them, because one key always lands on the same lane.
/// </remarks>
public sealed class FanoutLanes<TWork>
{
    private readonly Lane[] _lanes;

    /// <param name="run">One fan-out; what it throws goes to <paramref name="failed"/>, and the lane goes on.</param>
    public FanoutLanes(Action<TWork> run, Action<Exception> failed, int? lanes = null)
    {
        _lanes = new Lane[lanes ?? Environment.ProcessorCount * 4];
        for (var i = 0; i < _lanes.Length; i++)
        {
            _lanes[i] = new Lane(run, failed);
        }
    }

    public void Post(string key, TWork work) =>
        _lanes[(uint)StringComparer.Ordinal.GetHashCode(key) % (uint)_lanes.Length].Post(work);

    private sealed class Lane(Action<TWork> run, Action<Exception> failed) : IThreadPoolWorkItem
    {
        private readonly ConcurrentQueue<TWork> _queue = new();
        private int _scheduled;

        public void Post(TWork work)
        {
            _queue.Enqueue(work);
            if (Interlocked.Exchange(ref _scheduled, 1) == 0)
            {
                ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
            }
        }

        public void Execute()
        {
            while (true)
            {
                while (_queue.TryDequeue(out var work))
                {
                    try
                    {
                        run(work);
                    }
                    catch (Exception ex)
                    {
                        failed(ex);
                    }
                }

                // Give the lane back, then look again: work posted just before found it still scheduled. A full fence,
                // so the look cannot be ordered before the give-back (which would strand work posted in between).
                Interlocked.Exchange(ref _scheduled, 0);
                if (_queue.IsEmpty || Interlocked.Exchange(ref _scheduled, 1) == 1)
                {
                    return;
                }
            }
        }
    }
}
