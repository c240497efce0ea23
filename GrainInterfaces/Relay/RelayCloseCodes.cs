namespace OrbitGrains.Relay;

/// <summary>WebSocket close codes the relay uses beyond the standard ones.</summary>
public static class RelayCloseCodes
{
    /// <summary>1012 Service Restart: the relay lost this socket's registration; peers reconnect and subscribe again.</summary>
    public const int ServiceRestart = 1012;

    public const string ServiceRestartReason = "Relay restarted; reconnect";

    /// <summary>4401: the socket's token no longer authenticates (logout, refresh or revocation); reconnect with a current one.</summary>
    public const int Unauthorised = 4401;
}
