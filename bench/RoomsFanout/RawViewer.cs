using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace OrbitGrains.Bench.RoomsFanout;

/// <summary>
/// A viewer on a plain TCP socket: the WebSocket handshake is done with blocking calls, so the socket never joins
/// .NET's own epoll engine and <see cref="EpollViewers"/> alone reads it afterwards.
/// </summary>
internal sealed class RawViewer
{
    private RawViewer(Socket socket) => Socket = socket;

    public Socket Socket { get; }

    public byte[] Buffer { get; } = new byte[16 * 1024];

    public int Filled { get; set; }

    public int Index { get; set; }

    private volatile bool _closed;

    public bool Closed
    {
        get => _closed;
        set => _closed = value;
    }

    /// <summary>Connects, upgrades and waits for the room's <c>joined</c> frame, so telemetry finds the viewer in the room.</summary>
    public static RawViewer Open(Uri baseUri, string token, string sessionId)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
        {
            NoDelay = true,
            ReceiveTimeout = 60_000,
            SendTimeout = 60_000,
        };
        try
        {
            socket.Connect(new IPEndPoint(IPAddress.Parse(baseUri.Host), baseUri.Port));
            var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
            var request = $"GET /ws?token={Uri.EscapeDataString(token)}&session_id={sessionId} HTTP/1.1\r\n" +
                          $"Host: {baseUri.Host}:{baseUri.Port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                          $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n";
            socket.Send(Encoding.ASCII.GetBytes(request));

            var viewer = new RawViewer(socket);
            var headerEnd = -1;
            while (headerEnd < 0)
            {
                viewer.Fill();
                headerEnd = viewer.Buffer.AsSpan(0, viewer.Filled).IndexOf("\r\n\r\n"u8);
            }

            var head = Encoding.ASCII.GetString(viewer.Buffer, 0, headerEnd);
            if (!head.StartsWith("HTTP/1.1 101", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"upgrade refused: {head.Split('\r')[0]}");
            }

            viewer.Consume(headerEnd + 4);
            var joined = viewer.ReadTextFrame();
            if (!joined.Contains("\"joined\"", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"expected joined, got {joined}");
            }

            return viewer;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private void Fill()
    {
        var read = Socket.Receive(Buffer, Filled, Buffer.Length - Filled, SocketFlags.None);
        if (read == 0)
        {
            throw new InvalidOperationException("server closed the viewer during the handshake");
        }

        Filled += read;
    }

    private void Consume(int count)
    {
        Buffer.AsSpan(count, Filled - count).CopyTo(Buffer);
        Filled -= count;
    }

    private string ReadTextFrame()
    {
        while (true)
        {
            if (Filled >= 2)
            {
                var length = Buffer[1] & 0x7F;
                var header = 2;
                if (length == 126 && Filled >= 4)
                {
                    length = (Buffer[2] << 8) | Buffer[3];
                    header = 4;
                }

                if (length != 126 && length != 127 && Filled >= header + length)
                {
                    var text = Encoding.UTF8.GetString(Buffer, header, length);
                    Consume(header + length);
                    return text;
                }
            }

            Fill();
        }
    }
}
