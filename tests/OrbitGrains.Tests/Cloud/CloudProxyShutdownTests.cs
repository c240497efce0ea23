using System.Net.WebSockets;
using System.Text;

namespace OrbitGrains.Tests.Cloud;

/// <summary>
/// A stopping front end tells the instance proxies' browsers to go (1001), as it does the relay's and the rooms'
/// sockets: Kestrel waits for open requests on shutdown, and a browser told to go reconnects to another node.
/// </summary>
public sealed class CloudProxyShutdownTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly CloudProxyHost _host = new();

    public Task InitializeAsync() => _host.InitializeAsync();

    public Task DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task A_stopping_front_end_closes_the_VNC_and_cloudbot_proxies_with_1001()
    {
        var user = await _host.Api.SignUpAsync();
        var id = (string)(await _host.Api.CreateAsync(user))["id"]!;
        await Eventually.TrueAsync(async () => await _host.Api.StatusAsync(user, id) == "running", "the simulated instance runs");

        using var vnc = new ClientWebSocket();
        vnc.Options.AddSubProtocol("binary");
        await vnc.ConnectAsync(Ws($"/api/instances/{id}/vnc?token={user}"), Timeout());
        // The VNC server's greeting came through: the relay runs both ways.
        var buffer = new byte[64 * 1024];
        var greeting = await vnc.ReceiveAsync(buffer, Timeout());
        Assert.StartsWith("RFB ", Encoding.ASCII.GetString(buffer, 0, greeting.Count));

        using var cloudbot = new ClientWebSocket();
        await cloudbot.ConnectAsync(Ws($"/api/instances/{id}/cloudbot?token={user}"), Timeout());
        var hello = await cloudbot.ReceiveAsync(buffer, Timeout());
        Assert.Contains("\"event\":\"status\"", Encoding.UTF8.GetString(buffer, 0, hello.Count));

        var stopped = _host.Host.App.StopAsync();

        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, await CloseOfAsync(vnc));
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, await CloseOfAsync(cloudbot));
        await stopped.WaitAsync(Patience);
    }

    /// <summary>Reads until the server's Close, answers it, and returns its status.</summary>
    private static async Task<WebSocketCloseStatus?> CloseOfAsync(ClientWebSocket socket)
    {
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, Timeout());
            if (result.MessageType == WebSocketMessageType.Close)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", Timeout());
                return socket.CloseStatus;
            }
        }
    }

    private Uri Ws(string path) => new(new Uri(_host.Host.BaseAddress.ToString().Replace("http", "ws")), path);

    private static CancellationToken Timeout() => new CancellationTokenSource(Patience).Token;
}
