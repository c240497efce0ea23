namespace OrbitGrains.Rooms;

/// <summary>
/// An append-only audit log, keyed by session id or "global". Every entry is durable before Append returns;
/// nothing is ever changed or removed. Entries live in fixed-size pages so one write never rewrites the log.
/// </summary>
[Alias("OrbitGrains.Rooms.IAuditLogGrain")]
public interface IAuditLogGrain : IGrainWithStringKey
{
    /// <summary>Appends and returns the entry's sequence number (1, 2, ...).</summary>
    [Alias("Append")]
    Task<long> Append(AuditEntry entry);

    /// <summary>Entries with a sequence above <paramref name="after"/>, oldest first, at most <paramref name="limit"/>.</summary>
    [Alias("Read")]
    Task<AuditPage> Read(long after, int limit);
}
