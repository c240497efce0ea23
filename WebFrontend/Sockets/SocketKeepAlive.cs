using OrbitGrains.Hosting;

namespace OrbitGrains.WebFrontend.Sockets;

/// <summary>
/// WebSocket keep-alive for every family's sockets (relay, rooms, proxies): the server sends a Ping frame
/// (RFC 6455 §5.5.2) every <see cref="Interval"/> and aborts a connection whose Pong (§5.5.3) has not come within
/// <see cref="Timeout"/>. A peer that froze or lost its network without a FIN is therefore gone within
/// <see cref="Interval"/> + <see cref="Timeout"/> (45 s by default): its presence ends, a control lock it held is
/// released, and requests waiting on an anchor that went silent are answered `anchor_offline`.
/// </summary>
/// <param name="Interval">WEBSOCKET_KEEPALIVE_SEC, 1..300 (default 15).</param>
/// <param name="Timeout">WEBSOCKET_KEEPALIVE_TIMEOUT_SEC, 1..300 (default 30).</param>
public sealed record SocketKeepAlive(TimeSpan Interval, TimeSpan Timeout)
{
    /// <summary>The longest a silent peer stays connected.</summary>
    public TimeSpan Bound => Interval + Timeout;

    /// <summary>Reads both settings; a value out of range stops the start with <see cref="OrbitConfigurationException"/>.</summary>
    public static SocketKeepAlive Load(IConfiguration configuration) => new(
        Seconds(configuration, "WEBSOCKET_KEEPALIVE_SEC", 15),
        Seconds(configuration, "WEBSOCKET_KEEPALIVE_TIMEOUT_SEC", 30));

    /// <summary>The options for ASP.NET Core's WebSocket middleware, which sends the pings and enforces the timeout.</summary>
    public WebSocketOptions ToWebSocketOptions() => new() { KeepAliveInterval = Interval, KeepAliveTimeout = Timeout };

    private static TimeSpan Seconds(IConfiguration configuration, string key, int fallback)
    {
        var text = configuration[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return TimeSpan.FromSeconds(fallback);
        }

        return int.TryParse(text, out var seconds) && seconds is >= 1 and <= 300
            ? TimeSpan.FromSeconds(seconds)
            : throw new OrbitConfigurationException($"{key}='{text}' must be a whole number of seconds from 1 to 300.");
    }
}
