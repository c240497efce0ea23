using System.Net.WebSockets;
using System.Text;

namespace OrbitGrains.Bench.RoomsFanout;

/// <summary>A robot: a plain ClientWebSocket (it only sends, 100 times a second), discarding what it is sent.</summary>
internal sealed class Peer(ClientWebSocket socket)
{
    public static async Task<Peer> ConnectAsync(Uri baseUri, string token, string sessionId)
    {
        var socket = new ClientWebSocket();
        var uri = new UriBuilder(baseUri) { Scheme = "ws", Path = "/ws", Query = $"token={Uri.EscapeDataString(token)}&session_id={sessionId}" }.Uri;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await socket.ConnectAsync(uri, timeout.Token);
        // Wait for "joined", so the room knows the robot before any telemetry flows.
        var buffer = new byte[64 * 1024];
        var result = await socket.ReceiveAsync(buffer, timeout.Token);
        if (!Encoding.UTF8.GetString(buffer, 0, result.Count).Contains("\"joined\"", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"expected joined, got {Encoding.UTF8.GetString(buffer, 0, result.Count)}");
        }

        var peer = new Peer(socket);
        _ = peer.DiscardAsync();
        return peer;
    }

    public ValueTask SendAsync(byte[] frame) => socket.SendAsync(frame.AsMemory(), WebSocketMessageType.Text, true, CancellationToken.None);

    private async Task DiscardAsync()
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                await socket.ReceiveAsync(buffer, CancellationToken.None);
            }
        }
        catch (WebSocketException)
        {
        }
    }
}
