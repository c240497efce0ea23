using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using OrbitGrains.Tests.Accounts;

namespace OrbitGrains.Tests.Cloud;

public sealed class CloudProxyTests(CloudProxyHost host) : IClassFixture<CloudProxyHost>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_VNC_proxy_passes_the_RFB_handshake_intact_and_a_framebuffer_update_arrives()
    {
        var (user, id) = await RunningInstanceAsync();

        // What the VNC server says first, directly.
        using var direct = new TcpClient();
        await direct.ConnectAsync("127.0.0.1", host.VncPort);
        var directVersion = await ReadExactlyAsync(direct.GetStream(), 12);
        await direct.GetStream().WriteAsync(directVersion);
        var directTypeCount = await ReadExactlyAsync(direct.GetStream(), 1);
        var directTypes = await ReadExactlyAsync(direct.GetStream(), directTypeCount[0]);

        using var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol("binary");
        await socket.ConnectAsync(new Uri(Ws($"/api/instances/{id}/vnc?token={user}")), Timeout());
        Assert.Equal("binary", socket.SubProtocol);
        var rfb = new WsStream(socket);

        var version = await rfb.ReadAsync(12);
        Assert.Equal(directVersion, version);
        Assert.StartsWith("RFB 003.", Encoding.ASCII.GetString(version));
        await rfb.WriteAsync(version);
        var count = await rfb.ReadAsync(1);
        Assert.Equal(directTypes, await rfb.ReadAsync(count[0]));
        Assert.Contains((byte)1, directTypes);
        await rfb.WriteAsync([1]);
        Assert.Equal(new byte[4], await rfb.ReadAsync(4));

        await rfb.WriteAsync([1]); // ClientInit: shared
        var init = await rfb.ReadAsync(24);
        Assert.Equal(64, (init[0] << 8) | init[1]);
        Assert.Equal(48, (init[2] << 8) | init[3]);
        var nameLength = (init[20] << 24) | (init[21] << 16) | (init[22] << 8) | init[23];
        await rfb.ReadAsync(nameLength);

        // FramebufferUpdateRequest (non-incremental, the whole 64x48 screen): the answer is a FramebufferUpdate (type 0).
        await rfb.WriteAsync([3, 0, 0, 0, 0, 0, 0, 64, 0, 48]);
        byte type;
        do
        {
            type = (await rfb.ReadAsync(1))[0];
            Assert.True(type is 0 or 2 or 3, $"unexpected server message {type}");
        }
        while (type != 0);

        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", Timeout());
    }

    [Fact]
    public async Task The_VNC_proxy_closes_1008_for_a_missing_or_bad_token_a_bad_or_foreign_id_and_an_instance_not_running()
    {
        var (owner, id) = await RunningInstanceAsync();
        var stranger = await host.Api.SignUpAsync();
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await CloseOfAsync($"/api/instances/{id}/vnc"));
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await CloseOfAsync($"/api/instances/{id}/vnc?token=forged.token.value"));
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await CloseOfAsync($"/api/instances/{id}/vnc?token={stranger}"));
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await CloseOfAsync($"/api/instances/NOT-AN-ID/vnc?token={owner}"));
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await CloseOfAsync($"/api/instances/{Guid.NewGuid():N}/cloudbot?token={owner}"));
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await CloseOfAsync($"/api/instances/{id}/cloudbot?token={stranger}"));

        (await host.Api.SendAsync(HttpMethod.Post, $"/api/instances/{id}/stop", bearer: owner)).Dispose();
        await Eventually.TrueAsync(async () => await host.Api.StatusAsync(owner, id) == "stopped", "the instance stops");
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await CloseOfAsync($"/api/instances/{id}/vnc?token={owner}"));

        using var plain = await host.Api.SendAsync(HttpMethod.Get, $"/api/instances/{id}/vnc?token={owner}");
        Assert.Equal(HttpStatusCode.BadRequest, plain.StatusCode);
    }

    [Fact]
    public async Task The_cloudbot_proxy_sends_status_and_pings_relays_text_both_ways_and_drops_housekeeping_events()
    {
        var (user, id) = await RunningInstanceAsync();
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri(Ws($"/api/instances/{id}/cloudbot?token={user}")), Timeout());
        var first = await ReceiveTextAsync(socket);
        Assert.Contains("\"event\":\"status\"", first);
        Assert.Contains("\"status\":\"connecting\"", first);

        var hello = await ReceiveTextAsync(socket);
        Assert.Equal("""{"type":"event","event":"hello","payload":{"n":1}}""", hello);
        Assert.Matches("^Bearer [0-9a-f]{64}$", host.Gateway.Authorizations.Last());

        await socket.SendAsync(Encoding.UTF8.GetBytes("""{"type":"req","method":"chat.send"}"""), WebSocketMessageType.Text, true, Timeout());
        // The echo proves the message reached the gateway; nothing of tick, health or presence came before it.
        var next = await ReceiveTextAsync(socket);
        while (next.Contains("\"event\":\"ping\""))
        {
            next = await ReceiveTextAsync(socket);
        }

        Assert.Equal("""echo:{"type":"req","method":"chat.send"}""", next);
        Assert.Contains("""{"type":"req","method":"chat.send"}""", host.Gateway.Received);

        var ping = await ReceiveTextAsync(socket, TimeSpan.FromSeconds(20));
        Assert.Equal("""{"type":"event","event":"ping","payload":{}}""", ping);

        await socket.SendAsync(Encoding.UTF8.GetBytes("close-upstream"), WebSocketMessageType.Text, true, Timeout());
        Assert.Equal(WebSocketCloseStatus.InternalServerError, await DrainToCloseAsync(socket));
    }

    [Fact]
    public async Task Unreachable_upstreams_close_the_proxies_with_1011()
    {
        var (user, id) = await RunningInstanceAsync();
        var config = CloudHost.Configuration(Path.Combine(Path.GetTempPath(), $"orbit-cloud-down-{Guid.NewGuid():N}"), $"cloud-down-{Guid.NewGuid():N}", null);
        var closedPort = FreePorts.Next();
        config["LOCAL_DEV_MODE"] = "true";
        config["LOCAL_VNC_ADDRESS"] = $"127.0.0.1:{closedPort}";
        config["LOCAL_GATEWAY_URL"] = $"ws://127.0.0.1:{closedPort}/";
        await using var down = await RunningHost.StartFrontEndAsync(config);
        var api = new CloudApi(down.Http);
        var owner = await api.SignUpAsync();
        var instance = (string)(await api.CreateAsync(owner))["id"]!;
        await Eventually.TrueAsync(async () => await api.StatusAsync(owner, instance) == "running", "the simulated instance runs");

        using (var vnc = new ClientWebSocket())
        {
            vnc.Options.AddSubProtocol("binary");
            await vnc.ConnectAsync(new Uri(new Uri(down.BaseAddress.ToString().Replace("http", "ws")), $"/api/instances/{instance}/vnc?token={owner}"), Timeout());
            Assert.Equal(WebSocketCloseStatus.InternalServerError, await DrainToCloseAsync(vnc));
        }

        using var bot = new ClientWebSocket();
        await bot.ConnectAsync(new Uri(new Uri(down.BaseAddress.ToString().Replace("http", "ws")), $"/api/instances/{instance}/cloudbot?token={owner}"), Timeout());
        Assert.Contains("\"status\":\"connecting\"", await ReceiveTextAsync(bot));
        var error = await ReceiveTextAsync(bot);
        Assert.Contains("\"status\":\"error\"", error);
        Assert.Equal(WebSocketCloseStatus.InternalServerError, await DrainToCloseAsync(bot));
        _ = (user, id);
    }

    private async Task<(string User, string Id)> RunningInstanceAsync()
    {
        var user = await host.Api.SignUpAsync();
        var id = (string)(await host.Api.CreateAsync(user))["id"]!;
        await Eventually.TrueAsync(async () => await host.Api.StatusAsync(user, id) == "running", "the simulated instance runs");
        return (user, id);
    }

    private string Ws(string path) => new Uri(new Uri(host.Host.BaseAddress.ToString().Replace("http", "ws")), path).ToString();

    private async Task<WebSocketCloseStatus?> CloseOfAsync(string path)
    {
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri(Ws(path)), Timeout());
        return await DrainToCloseAsync(socket);
    }

    private static async Task<WebSocketCloseStatus?> DrainToCloseAsync(ClientWebSocket socket)
    {
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(Patience);
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, timeout.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return socket.CloseStatus;
            }
        }
    }

    private static async Task<string> ReceiveTextAsync(ClientWebSocket socket, TimeSpan? within = null)
    {
        using var timeout = new CancellationTokenSource(within ?? Patience);
        var buffer = new byte[64 * 1024];
        var length = 0;
        WebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(new ArraySegment<byte>(buffer, length, buffer.Length - length), timeout.Token);
            length += result.Count;
        }
        while (!result.EndOfMessage);

        Assert.Equal(WebSocketMessageType.Text, result.MessageType);
        return Encoding.UTF8.GetString(buffer, 0, length);
    }

    private static CancellationToken Timeout() => new CancellationTokenSource(Patience).Token;

    private static async Task<byte[]> ReadExactlyAsync(Stream stream, int count)
    {
        var buffer = new byte[count];
        using var timeout = new CancellationTokenSource(Patience);
        await stream.ReadExactlyAsync(buffer, timeout.Token);
        return buffer;
    }

    /// <summary>The bytes of a binary WebSocket as one stream, whatever the framing.</summary>
    private sealed class WsStream(ClientWebSocket socket)
    {
        private readonly Queue<byte> _pending = new();

        public async Task<byte[]> ReadAsync(int count)
        {
            using var timeout = new CancellationTokenSource(Patience);
            var buffer = new byte[64 * 1024];
            while (_pending.Count < count)
            {
                var result = await socket.ReceiveAsync(buffer, timeout.Token);
                Assert.NotEqual(WebSocketMessageType.Close, result.MessageType);
                Assert.Equal(WebSocketMessageType.Binary, result.MessageType);
                for (var i = 0; i < result.Count; i++)
                {
                    _pending.Enqueue(buffer[i]);
                }
            }

            var read = new byte[count];
            for (var i = 0; i < count; i++)
            {
                read[i] = _pending.Dequeue();
            }

            return read;
        }

        public Task WriteAsync(byte[] bytes) => socket.SendAsync(bytes, WebSocketMessageType.Binary, true, Timeout());
    }
}
