using System.Diagnostics;

namespace OrbitGrains.Bench.RoomsFanout;

/// <summary>
/// CPU seconds the product and this generator spent inside the measured window only (set-up, with its thousands of
/// handshakes, is left out), read from /proc for the product and from the runtime for this process.
/// </summary>
internal sealed class CpuWindow(int? serverPid)
{
    private static readonly double TicksPerSecond = 100.0; // USER_HZ, fixed at 100 on Linux for /proc
    private double _serverStart, _serverEnd;
    private TimeSpan _selfStart, _selfEnd;
    private long _wallStart, _wallEnd;

    public void Begin() => (_serverStart, _selfStart, _wallStart) = (ServerSeconds(), Process.GetCurrentProcess().TotalProcessorTime, Stopwatch.GetTimestamp());

    public void End() => (_serverEnd, _selfEnd, _wallEnd) = (ServerSeconds(), Process.GetCurrentProcess().TotalProcessorTime, Stopwatch.GetTimestamp());

    public string Report(int seconds)
    {
        var wall = Stopwatch.GetElapsedTime(_wallStart, _wallEnd).TotalSeconds;
        var server = serverPid is null ? "n/a" : $"{(_serverEnd - _serverStart) / wall:F2}";
        return $"cpu_cores_in_window product={server} generator={(_selfEnd - _selfStart).TotalSeconds / wall:F2} (of {Environment.ProcessorCount}; window {wall:F1}s)";
    }

    private double ServerSeconds()
    {
        if (serverPid is not { } pid)
        {
            return 0;
        }

        // Fields after the parenthesised command name: utime and stime are the 12th and 13th.
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11]) + long.Parse(fields[12])) / TicksPerSecond;
    }
}
