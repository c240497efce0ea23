using System.IO.Pipelines;
using System.Net.WebSockets;
using System.Text;
using OrbitGrains.WebFrontend.Sockets;

namespace OrbitGrains.Tests.Foundation;

/// <summary>The send half of the shared socket: frames written inline by whoever queues them, in order, then the close.</summary>
public sealed class BoundedSocketTests
{
    private static readonly SocketLimits Limits = new(64 * 1024, 1024 * 1024, 1000, (code, detail) => $"{{\"type\":\"error\",\"code\":\"{code}\"}}");

    [Fact]
    public async Task Frames_queued_from_many_threads_arrive_whole_and_in_each_producers_order_before_the_close()
    {
        var (server, client) = Connected();
        var socket = new BoundedSocket(server, Limits, TimeProvider.System);
        var running = socket.RunAsync(_ => Task.CompletedTask, CancellationToken.None);
        const int producers = 4, perProducer = 2_000;

        var receiving = ReceiveAllAsync(client);
        await Task.WhenAll(Enumerable.Range(0, producers).Select(p => Task.Run(() =>
        {
            for (var i = 0; i < perProducer; i++)
            {
                Assert.True(socket.Enqueue($"{p}:{i}"));
            }
        })));
        socket.Close(WebSocketCloseStatus.NormalClosure, "done");

        var (frames, status) = await receiving.WaitAsync(TimeSpan.FromSeconds(30));
        await running.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(WebSocketCloseStatus.NormalClosure, status);
        Assert.Equal(producers * perProducer, frames.Count);
        for (var p = 0; p < producers; p++)
        {
            var mine = frames.Where(f => f.StartsWith($"{p}:", StringComparison.Ordinal)).Select(f => int.Parse(f[(f.IndexOf(':') + 1)..]));
            Assert.Equal(Enumerable.Range(0, perProducer), mine);
        }

        Assert.False(socket.Enqueue("after close"));
    }

    [Fact]
    public async Task Nothing_is_written_before_the_socket_runs_so_a_greeting_follows_registration()
    {
        var toClient = new Pipe();
        var toServer = new Pipe();
        var server = WebSocket.CreateFromStream(new DuplexStream(toServer.Reader.AsStream(), toClient.Writer.AsStream()),
            new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });
        using var client = WebSocket.CreateFromStream(new DuplexStream(toClient.Reader.AsStream(), toServer.Writer.AsStream()),
            new WebSocketCreationOptions { IsServer = false, KeepAliveInterval = TimeSpan.Zero });
        var socket = new BoundedSocket(server, Limits, TimeProvider.System);

        // Writes into an idle in-memory pipe complete at once, so had the greeting been written it would be readable now.
        Assert.True(socket.Enqueue("hello"));
        Assert.False(toClient.Reader.TryRead(out _), "the greeting went out before the socket ran");

        var running = socket.RunAsync(_ => Task.CompletedTask, CancellationToken.None);
        var buffer = new byte[64];
        var first = await client.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("hello", Encoding.UTF8.GetString(buffer, 0, first.Count));

        socket.Close(WebSocketCloseStatus.NormalClosure, "done");
        Assert.Equal(WebSocketMessageType.Close, (await client.ReceiveAsync(buffer, CancellationToken.None)).MessageType);
        await client.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
        await running.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_peer_that_reads_nothing_is_cut_off_once_its_queue_is_full()
    {
        var (server, client) = Connected(pauseWriterAt: 16 * 1024);
        var small = Limits with { MaxQueuedBytes = 64 * 1024 };
        var socket = new BoundedSocket(server, small, TimeProvider.System);
        var running = socket.RunAsync(_ => Task.CompletedTask, CancellationToken.None);

        var frame = new string('x', 1024);
        var accepted = 0;
        while (socket.Enqueue(frame) && accepted < 10_000)
        {
            accepted++;
        }

        // The transport took at most its pause threshold, the queue at most its bound: the rest was refused.
        Assert.InRange(accepted, 64, 200);
        // The socket ends without waiting for the peer to read: its request, and with it the connection, can end.
        await running.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(socket.IsClosing);
        Assert.Equal(WebSocketState.Aborted, server.State);
        client.Dispose();
    }

    [Fact]
    public async Task A_handler_that_throws_closes_the_socket_with_1011_and_is_logged_once()
    {
        var (server, client) = Connected();
        var log = new OrbitGrains.Tests.Hosting.CapturedLog();
        var socket = new BoundedSocket(server, Limits, TimeProvider.System, log.CreateLogger("socket"));
        var running = socket.RunAsync(frame => frame.IsObject ? throw new InvalidOperationException("handler bug") : Task.CompletedTask, CancellationToken.None);

        await client.SendAsync("not json"u8.ToArray(), WebSocketMessageType.Text, true, CancellationToken.None);
        await client.SendAsync("{\"a\":1}"u8.ToArray(), WebSocketMessageType.Text, true, CancellationToken.None);
        var (_, status) = await ReceiveAllAsync(client).WaitAsync(TimeSpan.FromSeconds(30));
        await running.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(WebSocketCloseStatus.InternalServerError, status);
        Assert.Single(log.Errors, e => e.Exception?.Message == "handler bug");
    }

    [Theory]
    [InlineData("{\"a\":1}", FrameKind.Object)]
    [InlineData("[1]", FrameKind.OtherJson)]
    [InlineData("hello", FrameKind.NotJson)]
    [InlineData("{\"a\":1,\"a\":2}", FrameKind.Unreadable)]
    [InlineData("{\"a\":\"\\ud800\"}", FrameKind.Unreadable)]
    [InlineData("{\"a\":\"\\ud83d\\ude00\"}", FrameKind.Object)]
    public void Frames_are_read_by_one_rule(string text, FrameKind kind) => Assert.Equal(kind, Frames.Read(text).Kind);

    private static async Task<(List<string> Frames, WebSocketCloseStatus? Status)> ReceiveAllAsync(WebSocket client)
    {
        var frames = new List<string>();
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var result = await client.ReceiveAsync(buffer, CancellationToken.None);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                await client.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
                return (frames, result.CloseStatus);
            }

            Assert.True(result.EndOfMessage);
            frames.Add(Encoding.UTF8.GetString(buffer, 0, result.Count));
        }
    }

    /// <summary>Two WebSockets joined by in-memory pipes; the server's writes stall past <paramref name="pauseWriterAt"/> unread bytes.</summary>
    private static (WebSocket Server, WebSocket Client) Connected(long pauseWriterAt = 1024 * 1024)
    {
        var toClient = new Pipe(new PipeOptions(pauseWriterThreshold: pauseWriterAt, resumeWriterThreshold: pauseWriterAt / 2));
        var toServer = new Pipe();
        var server = WebSocket.CreateFromStream(new DuplexStream(toServer.Reader.AsStream(), toClient.Writer.AsStream()),
            new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });
        var client = WebSocket.CreateFromStream(new DuplexStream(toClient.Reader.AsStream(), toServer.Writer.AsStream()),
            new WebSocketCreationOptions { IsServer = false, KeepAliveInterval = TimeSpan.Zero });
        return (server, client);
    }

    private sealed class DuplexStream(Stream input, Stream output) : Stream
    {
        public override bool CanRead => true;
        public override bool CanWrite => true;
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => input.Read(buffer, offset, count);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => input.ReadAsync(buffer, cancellationToken);
        public override void Write(byte[] buffer, int offset, int count) => output.Write(buffer, offset, count);
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => output.WriteAsync(buffer, cancellationToken);
        public override Task FlushAsync(CancellationToken cancellationToken) => output.FlushAsync(cancellationToken);
        public override void Flush() => output.Flush();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                input.Dispose();
                output.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
