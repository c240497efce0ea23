namespace OrbitGrains.WebFrontend.Sockets;

/// <summary>
/// Hands one socket's inbound frames to the grain that routes them, in the order they were read, with at most one
/// call in flight. Frames read while a call runs wait and travel together in the next call, so a busy grain or a
/// stalled node is caught up with in a few calls instead of one round trip per frame, and a quiet socket still sends
/// each frame at once (a batch of one). The socket's read loop waits only when the waiting batch is full
/// (<see cref="MaxFrames"/> frames or <see cref="MaxChars"/> characters): a peer's burst then backs up in TCP, as
/// when every frame waited for its call.
/// </summary>
/// <remarks>
/// Used from the socket's one read loop (<see cref="Accept"/>, <see cref="FlushAsync"/>); the calls run on the thread
/// pool. An exception from <c>forward</c> ends the batching: <c>onFault</c> hears of it at once (the read loop may be
/// waiting for a peer that sends nothing more), and the frames waiting then or accepted later are dropped.
/// </remarks>
/// <param name="forward">One call with frames in order; completes when the grain has handled them all.</param>
/// <param name="onFault">Told of an exception from <paramref name="forward"/>, once (the socket closes 1011: <see cref="BoundedSocket.Fail"/>).</param>
public sealed class InboundBatches(Func<string[], Task> forward, Action<Exception> onFault)
{
    /// <summary>Frames that may wait beside a call in flight before the read loop waits too.</summary>
    public const int MaxFrames = 64;

    /// <summary>Characters of waiting frames (UTF-16 code units) before the read loop waits; one frame may exceed it.</summary>
    public const int MaxChars = 64 * 1024;

    private readonly object _gate = new();
    private readonly List<string> _waiting = [];
    private int _waitingChars;

    /// <summary>Completes when the waiting batch has been handled; the read loop waits on it while the batch is full.</summary>
    private TaskCompletionSource _waitingHandled = NewSignal();

    /// <summary>True while the loop sending batches runs.</summary>
    private bool _sending;

    /// <summary>Completes when the loop stops for want of frames (asked for by <see cref="FlushAsync"/>).</summary>
    private TaskCompletionSource? _drained;

    private bool _failed;

    /// <summary>
    /// Takes the next frame. Completes at once while the waiting batch has room, else once the batch holding this frame
    /// has been handled.
    /// </summary>
    public Task Accept(string frame)
    {
        Task wait;
        bool start;
        lock (_gate)
        {
            if (_failed)
            {
                // onFault has closed the socket: what it still reads goes nowhere.
                return Task.CompletedTask;
            }

            _waiting.Add(frame);
            _waitingChars += frame.Length;
            wait = _waiting.Count >= MaxFrames || _waitingChars >= MaxChars ? _waitingHandled.Task : Task.CompletedTask;
            start = !_sending;
            _sending = true;
        }

        if (start)
        {
            _ = SendLoopAsync();
        }

        return wait;
    }

    /// <summary>
    /// Completes once every accepted frame has been handled, or dropped after a failed call (the socket ended: what was
    /// read is not lost while the grain can take it).
    /// </summary>
    public Task FlushAsync()
    {
        lock (_gate)
        {
            return _sending ? (_drained ??= NewSignal()).Task : Task.CompletedTask;
        }
    }

    /// <summary>Sends batches until none waits; never throws (a failure goes to onFault).</summary>
    private async Task SendLoopAsync()
    {
        while (true)
        {
            string[] batch;
            TaskCompletionSource handled;
            lock (_gate)
            {
                if (_waiting.Count == 0)
                {
                    Stop();
                    return;
                }

                batch = [.. _waiting];
                handled = _waitingHandled;
                _waiting.Clear();
                _waitingChars = 0;
                _waitingHandled = NewSignal();
            }

            try
            {
                await forward(batch);
                handled.TrySetResult();
            }
            catch (Exception ex)
            {
                TaskCompletionSource next;
                lock (_gate)
                {
                    _failed = true;
                    _waiting.Clear();
                    next = _waitingHandled;
                    Stop();
                }

                onFault(ex);
                handled.TrySetResult();
                next.TrySetResult();
                return;
            }
        }
    }

    /// <summary>Under the gate: the loop ends, and a flush waiting for it completes.</summary>
    private void Stop()
    {
        _sending = false;
        _drained?.TrySetResult();
        _drained = null;
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
