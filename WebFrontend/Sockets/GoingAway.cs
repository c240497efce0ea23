using System.Net.WebSockets;

namespace OrbitGrains.WebFrontend.Sockets;

/// <summary>
/// How every socket of a stopping front end is closed (relay, rooms, instance proxies): 1001 Going Away (RFC 6455
/// §7.4.1), so its peer reconnects to another node. Kestrel waits for open requests on shutdown; a socket left open
/// would hold the stop until the host's timeout and then be reset.
/// </summary>
public static class GoingAway
{
    public const WebSocketCloseStatus Status = WebSocketCloseStatus.EndpointUnavailable;

    public const string Reason = "Server shutting down";
}
