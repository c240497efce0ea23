using System.Buffers.Text;
using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace OrbitGrains.Bench.RoomsFanout;

/// <summary>
/// Receives every viewer socket on a few threads of its own, each waiting on one epoll set, the way wrk does it in
/// C. A viewer costs one recv per wakeup and no task, so the generator takes as little as it can of the two cores
/// it shares with the product; the product's figures are what the bench measures.
/// </summary>
internal sealed unsafe partial class EpollViewers : IDisposable
{
    private const int EpollIn = 0x001;
    private const int EpollRdHup = 0x2000;
    private const int EpollCtlAdd = 1;
    private const int BatchSize = 256;

    // struct epoll_event is packed on x86-64 (12 bytes: events at 0, data at 4) and natural elsewhere (16 bytes).
    private static readonly int EventStride = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;
    private static readonly int EventDataOffset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 4 : 8;
    private static readonly byte[] Telemetry = "\"type\":\"telemetry\""u8.ToArray();
    private static readonly byte[] Stamp = "\"t\":"u8.ToArray();

    private readonly LatencyHistogram _histogram;
    private readonly int[] _epolls;
    private readonly Thread[] _threads;
    private readonly List<RawViewer> _viewers = [];
    private volatile bool _stopping;

    public EpollViewers(int threads, LatencyHistogram histogram)
    {
        _histogram = histogram;
        _epolls = new int[threads];
        _threads = new Thread[threads];
        for (var i = 0; i < threads; i++)
        {
            _epolls[i] = epoll_create1(0);
            if (_epolls[i] < 0)
            {
                throw new InvalidOperationException($"epoll_create1 failed: errno {Marshal.GetLastPInvokeError()}");
            }

            var epoll = _epolls[i];
            _threads[i] = new Thread(() => Run(epoll)) { IsBackground = true, Name = $"viewers-{i}" };
        }
    }

    public int Closed => _viewers.Count(v => v.Closed);

    public void Start()
    {
        foreach (var thread in _threads)
        {
            thread.Start();
        }
    }

    /// <summary>Hands an open, joined viewer to one of the receive threads.</summary>
    public void Add(RawViewer viewer)
    {
        lock (_viewers)
        {
            viewer.Index = _viewers.Count;
            _viewers.Add(viewer);
        }

        viewer.Socket.Blocking = false;
        var ev = stackalloc byte[16];
        *(uint*)ev = EpollIn | EpollRdHup;
        *(long*)(ev + EventDataOffset) = viewer.Index;
        if (epoll_ctl(_epolls[viewer.Index % _epolls.Length], EpollCtlAdd, (int)viewer.Socket.Handle, ev) != 0)
        {
            throw new InvalidOperationException($"epoll_ctl failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    private void Run(int epoll)
    {
        var events = new byte[BatchSize * EventStride];
        while (!_stopping)
        {
            int ready;
            fixed (byte* buffer = events)
            {
                ready = epoll_wait(epoll, buffer, BatchSize, 100);
            }

            for (var i = 0; i < ready; i++)
            {
                var index = (int)BitConverter.ToInt64(events, i * EventStride + EventDataOffset);
                RawViewer viewer;
                lock (_viewers)
                {
                    viewer = _viewers[index];
                }

                Drain(viewer);
            }
        }
    }

    private void Drain(RawViewer viewer)
    {
        while (!viewer.Closed)
        {
            var read = viewer.Socket.Receive(viewer.Buffer.AsSpan(viewer.Filled), SocketFlags.None, out var error);
            if (error == SocketError.WouldBlock)
            {
                return;
            }

            if (error != SocketError.Success || read == 0)
            {
                viewer.Closed = true;
                return;
            }

            viewer.Filled += read;
            Parse(viewer, Stopwatch.GetTimestamp());
        }
    }

    /// <summary>Consumes every whole server frame (never masked) in the buffer; a partial one waits for more bytes.</summary>
    private void Parse(RawViewer viewer, long received)
    {
        var data = viewer.Buffer.AsSpan(0, viewer.Filled);
        var offset = 0;
        while (data.Length - offset >= 2)
        {
            var opcode = data[offset] & 0x0F;
            long length = data[offset + 1] & 0x7F;
            var header = 2;
            if (length == 126)
            {
                if (data.Length - offset < 4)
                {
                    break;
                }

                length = (data[offset + 2] << 8) | data[offset + 3];
                header = 4;
            }
            else if (length == 127)
            {
                viewer.Closed = true; // no frame in this bench comes near 64 KiB
                return;
            }

            if (data.Length - offset < header + length)
            {
                break;
            }

            var payload = data.Slice(offset + header, (int)length);
            if (opcode == 0x8)
            {
                viewer.Closed = true;
                return;
            }

            if (opcode == 0x1 && payload.IndexOf(Telemetry) >= 0)
            {
                var at = payload.IndexOf(Stamp);
                if (at >= 0 && Utf8Parser.TryParse(payload[(at + Stamp.Length)..], out long sent, out _))
                {
                    _histogram.Add(sent, received);
                }
            }

            offset += header + (int)length;
        }

        if (offset > 0)
        {
            data[offset..].CopyTo(viewer.Buffer);
            viewer.Filled -= offset;
        }

        if (viewer.Filled == viewer.Buffer.Length)
        {
            viewer.Closed = true;
        }
    }

    public void Dispose()
    {
        _stopping = true;
        foreach (var thread in _threads)
        {
            thread.Join(TimeSpan.FromSeconds(1));
        }

        foreach (var epoll in _epolls)
        {
            close(epoll);
        }

        foreach (var viewer in _viewers)
        {
            viewer.Socket.Dispose();
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int epoll_create1(int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int epoll_ctl(int epfd, int op, int fd, byte* ev);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int epoll_wait(int epfd, byte* events, int maxevents, int timeout);

    [LibraryImport("libc")]
    private static partial int close(int fd);
}
