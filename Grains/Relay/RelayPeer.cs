namespace OrbitGrains.Relay;

/// <summary>What the user's relay remembers about one open socket.</summary>
internal sealed class RelayPeer(RelayConnection connection)
{
    public RelayConnection Connection { get; } = connection;

    public string Id => Connection.ConnectionId;

    public bool IsAnchor => Connection.Role == RelayRole.Anchor;

    /// <summary>Anchors only: the id from anchor.hello, or one the server made up.</summary>
    public string? AnchorId { get; set; }

    /// <summary>Anchors only: set once it said hello, which is what makes it visible to clients.</summary>
    public AnchorInfo? Info { get; set; }

    public HashSet<string> Threads { get; } = new(StringComparer.Ordinal);
}
