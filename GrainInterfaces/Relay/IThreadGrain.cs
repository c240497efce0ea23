namespace OrbitGrains.Relay;

/// <summary>
/// One thread of one user, keyed "{userId}/{threadId}": the anchor it is bound to (durable), the turn in
/// progress, the last messages for replay and the artifacts its items produced.
/// </summary>
[Alias("OrbitGrains.Relay.IThreadGrain")]
public interface IThreadGrain : IGrainWithStringKey
{
    [Alias("Snapshot")]
    Task<ThreadSnapshot> Snapshot(int replayLimit);

    [Alias("BoundAnchor")]
    Task<string?> BoundAnchor();

    /// <summary>Binds the thread to an anchor, or unbinds it with null.</summary>
    [Alias("Bind")]
    Task Bind(string? anchorId);

    /// <summary>Stores an anchor's messages for replay, in order, and applies their turn and artifact effects.</summary>
    [Alias("Record")]
    Task Record(string[] frames, string? anchorId);

    /// <summary>Ends a running turn because its anchor went away; returns the turn that was interrupted, if any.</summary>
    [Alias("InterruptTurn")]
    Task<TurnState?> InterruptTurn(string anchorId);

    [Alias("Artifacts")]
    Task<ArtifactPage> Artifacts(int limit, long? beforeId);
}
