namespace OrbitGrains.WebFrontend.Health;

public enum ConnectionKind
{
    Client,
    Anchor,
    RoomParticipant,
    VncProxy,
    GatewayProxy,
}

/// <summary>
/// Live socket counts of this front end, kept by the socket handlers of each family and read by /health
/// without any grain call.
/// </summary>
public sealed class ConnectionCounters
{
    private readonly long[] _counts = new long[Enum.GetValues<ConnectionKind>().Length];

    public long this[ConnectionKind kind] => Interlocked.Read(ref _counts[(int)kind]);

    public long Total => _counts.Select((_, i) => Interlocked.Read(ref _counts[i])).Sum();

    /// <summary>Counts one open socket until the returned handle is disposed (once, however often it is called).</summary>
    public IDisposable Track(ConnectionKind kind)
    {
        Interlocked.Increment(ref _counts[(int)kind]);
        return new Tracker(this, kind);
    }

    private sealed class Tracker(ConnectionCounters owner, ConnectionKind kind) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                Interlocked.Decrement(ref owner._counts[(int)kind]);
            }
        }
    }
}
