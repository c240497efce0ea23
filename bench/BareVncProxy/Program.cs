// The VNC bench's floor: a WebSocket-to-TCP proxy on raw sockets, with no Kestrel, no ASP.NET Core and no WebSocket
// classes, moving each chunk with the fewest copies a user-space proxy can make (one receive into a buffer that already
// has room for the frame header, one send of header and payload together). What it reaches on a machine is about as far
// as any proxy that copies bytes through user space can go there. A measuring tool only: no authentication, no limits,
// no close handshake, no fragmented or text frames (the bench's client sends none).
//   --port P (where it listens, 127.0.0.1)  --target-port T (the TCP sink/source on 127.0.0.1)
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

var options = args.Select((a, i) => (a, i)).Where(p => p.a.StartsWith("--")).ToDictionary(p => p.a[2..], p => args[p.i + 1]);
var port = int.Parse(options["port"]);
var target = new IPEndPoint(IPAddress.Loopback, int.Parse(options["target-port"]));
const int ChunkBytes = 512 * 1024; // the product's largest frame (CloudProxyOptions.BufferBytes)
const int HeaderRoom = 10;         // RFC 6455 section 5.2: 2 bytes, plus 8 for a 64-bit payload length

using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
listener.Bind(new IPEndPoint(IPAddress.Loopback, port));
listener.Listen(64);
Console.WriteLine($"listening on 127.0.0.1:{port}");
while (true)
{
    var client = await listener.AcceptAsync();
    _ = Task.Run(() => ServeAsync(client));
}

async Task ServeAsync(Socket client)
{
    using var _ = client;
    client.NoDelay = true;
    using var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
    try
    {
        if (!await HandshakeAsync(client))
        {
            return;
        }

        await upstream.ConnectAsync(target);
        var down = DownAsync(upstream, client);
        var up = UpAsync(client, upstream);
        await Task.WhenAny(down, up);
    }
    catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
    {
        // A side went away: the connection ends.
    }
    finally
    {
        upstream.Close();
    }
}

// RFC 6455 section 4.2: the opening handshake, answered with the subprotocol the product's proxy speaks.
static async Task<bool> HandshakeAsync(Socket client)
{
    var buffer = new byte[8192];
    var length = 0;
    while (true)
    {
        var read = await client.ReceiveAsync(buffer.AsMemory(length));
        if (read == 0)
        {
            return false;
        }

        length += read;
        var request = Encoding.ASCII.GetString(buffer, 0, length);
        if (!request.Contains("\r\n\r\n"))
        {
            continue;
        }

        var key = request.Split("\r\n").Select(line => line.Split(':', 2))
            .First(parts => parts.Length == 2 && parts[0].Trim().Equals("Sec-WebSocket-Key", StringComparison.OrdinalIgnoreCase))[1].Trim();
        var accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
        var response = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            $"Sec-WebSocket-Accept: {accept}\r\nSec-WebSocket-Protocol: binary\r\n\r\n";
        await client.SendAsync(Encoding.ASCII.GetBytes(response));
        return true;
    }
}

// Server bytes to the client, one unmasked binary frame per read; the next read overlaps the previous frame's send.
static async Task DownAsync(Socket upstream, Socket client)
{
    var sending = new byte[HeaderRoom + ChunkBytes];
    var reading = new byte[HeaderRoom + ChunkBytes];
    var read = await upstream.ReceiveAsync(sending.AsMemory(HeaderRoom));
    while (read > 0)
    {
        var send = SendFrameAsync(client, sending, read);
        read = await upstream.ReceiveAsync(reading.AsMemory(HeaderRoom));
        await send;
        (sending, reading) = (reading, sending);
    }
}

static async Task SendFrameAsync(Socket client, byte[] buffer, int payload)
{
    int start;
    if (payload < 126)
    {
        start = HeaderRoom - 2;
        buffer[start + 1] = (byte)payload;
    }
    else if (payload <= ushort.MaxValue)
    {
        start = HeaderRoom - 4;
        buffer[start + 1] = 126;
        BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(start + 2), (ushort)payload);
    }
    else
    {
        start = 0;
        buffer[1] = 127;
        BinaryPrimitives.WriteUInt64BigEndian(buffer.AsSpan(2), (ulong)payload);
    }

    buffer[start] = 0x82; // FIN, binary
    var frame = buffer.AsMemory(start, HeaderRoom - start + payload);
    while (frame.Length > 0)
    {
        frame = frame[await client.SendAsync(frame)..];
    }
}

// Client frames to the server: masked binary frames (section 5.3), unmasked in place and forwarded as they arrive.
static async Task UpAsync(Socket client, Socket upstream)
{
    var buffer = new byte[64 * 1024];
    int start = 0, end = 0;
    async Task<bool> FillAsync(int needed)
    {
        if (buffer.Length - start < needed)
        {
            buffer.AsSpan(start, end - start).CopyTo(buffer);
            (start, end) = (0, end - start);
        }

        while (end - start < needed)
        {
            var read = await client.ReceiveAsync(buffer.AsMemory(end));
            if (read == 0)
            {
                return false;
            }

            end += read;
        }

        return true;
    }

    var mask = new byte[4];
    while (await FillAsync(2))
    {
        var opcode = buffer[start] & 0x0F;
        var length = (long)(buffer[start + 1] & 0x7F);
        var header = 2 + (length == 126 ? 2 : length == 127 ? 8 : 0) + 4;
        if (!await FillAsync(header))
        {
            return;
        }

        length = length switch
        {
            126 => BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(start + 2)),
            127 => (long)BinaryPrimitives.ReadUInt64BigEndian(buffer.AsSpan(start + 2)),
            _ => length,
        };
        buffer.AsSpan(start + header - 4, 4).CopyTo(mask);
        start += header;
        if (opcode == 0x8)
        {
            return;
        }

        for (long done = 0; done < length;)
        {
            if (start == end && !await FillAsync(1))
            {
                return;
            }

            var chunk = (int)Math.Min(end - start, length - done);
            var bytes = buffer.AsSpan(start, chunk);
            for (var i = 0; i < bytes.Length; i++)
            {
                bytes[i] ^= mask[(int)((done + i) & 3)];
            }

            await upstream.SendAsync(buffer.AsMemory(start, chunk));
            start += chunk;
            done += chunk;
        }
    }
}
