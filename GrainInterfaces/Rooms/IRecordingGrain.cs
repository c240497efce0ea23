namespace OrbitGrains.Rooms;

/// <summary>
/// One recording of a room's signaling and telemetry, keyed by recording id. The room hands over batches in the
/// order it routed them; each batch is durable before Append returns and gets consecutive sequence numbers.
/// </summary>
[Alias("OrbitGrains.Rooms.IRecordingGrain")]
public interface IRecordingGrain : IGrainWithStringKey
{
    [Alias("Start")]
    Task Start(string sessionId);

    [Alias("Append")]
    Task Append(RecordingEntry[] entries);

    [Alias("Stop")]
    Task Stop();

    /// <summary>Entries with a sequence above <paramref name="after"/>, in order, at most <paramref name="limit"/>.</summary>
    [Alias("Read")]
    Task<RecordingPage> Read(long after, int limit);
}
