using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using OrbitGrains.Tests.Accounts;

namespace OrbitGrains.Tests.Cloud;

/// <summary>
/// An open instance proxy ends when its caller's access does (docs/cloud.md, Proxies): a disabled account's and a
/// logged-out sign-in's VNC and cloudbot sockets close 1008 with the reason at once, and a stopped instance's at the
/// proxies' next heartbeat, while another person's proxy to their own instance goes on relaying.
/// </summary>
public sealed class CloudProxyAccessTests(CloudProxyHost host) : IClassFixture<CloudProxyHost>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Disabling_the_account_closes_its_open_VNC_and_cloudbot_proxies_1008_and_leaves_others_open()
    {
        var (owner, id) = await RunningInstanceAsync();
        var (other, otherId) = await RunningInstanceAsync();
        using var vnc = await OpenVncAsync(owner, id);
        using var bot = await OpenCloudbotAsync(owner, id);
        using var bystander = await OpenCloudbotAsync(other, otherId);

        await new AdminApi(host.Api.Http, CloudHost.AdminToken).DisableAsync(await UserIdAsync(owner));

        Assert.Equal((WebSocketCloseStatus.PolicyViolation, "Account disabled"), await DrainToCloseAsync(vnc));
        Assert.Equal((WebSocketCloseStatus.PolicyViolation, "Account disabled"), await DrainToCloseAsync(bot));
        await AssertRelaysAsync(bystander);

        // A disabled account cannot open a new one either.
        using var again = new ClientWebSocket();
        await again.ConnectAsync(Ws($"/api/instances/{id}/cloudbot?token={owner}"), Timeout());
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, (await DrainToCloseAsync(again)).Status);
    }

    [Fact]
    public async Task Logging_out_closes_the_proxies_opened_with_that_sign_in_only()
    {
        var (email, owner) = await host.Api.SignUpWithEmailAsync();
        var id = await RunningInstanceOfAsync(owner);
        var second = await host.Api.LoginAsync(email);
        using var vnc = await OpenVncAsync(owner, id);
        using var bot = await OpenCloudbotAsync(owner, id);
        using var kept = await OpenCloudbotAsync(second, id);

        using (var logout = await host.Api.SendAsync(HttpMethod.Post, "/api/auth/logout", bearer: owner))
        {
            Assert.True(logout.IsSuccessStatusCode, $"logout: {logout.StatusCode}");
        }

        Assert.Equal((WebSocketCloseStatus.PolicyViolation, "Session ended"), await DrainToCloseAsync(vnc));
        Assert.Equal((WebSocketCloseStatus.PolicyViolation, "Session ended"), await DrainToCloseAsync(bot));
        // The same person's other sign-in is not ended by this logout: its proxy still relays both ways.
        await AssertRelaysAsync(kept);
    }

    [Fact]
    public async Task Stopping_the_instance_closes_its_open_proxies_1008_at_their_next_heartbeat()
    {
        var (owner, id) = await RunningInstanceAsync();
        var (other, otherId) = await RunningInstanceAsync();
        using var vnc = await OpenVncAsync(owner, id);
        using var bot = await OpenCloudbotAsync(owner, id);
        using var bystander = await OpenCloudbotAsync(other, otherId);

        (await host.Api.SendAsync(HttpMethod.Post, $"/api/instances/{id}/stop", bearer: owner)).Dispose();

        Assert.Equal((WebSocketCloseStatus.PolicyViolation, "Instance not running"), await DrainToCloseAsync(vnc));
        Assert.Equal((WebSocketCloseStatus.PolicyViolation, "Instance not running"), await DrainToCloseAsync(bot));
        await AssertRelaysAsync(bystander);
    }

    private async Task<(string Token, string Id)> RunningInstanceAsync()
    {
        var token = await host.Api.SignUpAsync();
        return (token, await RunningInstanceOfAsync(token));
    }

    private async Task<string> RunningInstanceOfAsync(string token)
    {
        var id = (string)(await host.Api.CreateAsync(token))["id"]!;
        await Eventually.TrueAsync(async () => await host.Api.StatusAsync(token, id) == "running", "the simulated instance runs");
        return id;
    }

    private async Task<string> UserIdAsync(string token)
    {
        using var me = await host.Api.SendAsync(HttpMethod.Get, "/api/auth/me", bearer: token);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        return (string)(await me.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
    }

    private async Task<ClientWebSocket> OpenVncAsync(string token, string id)
    {
        var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol("binary");
        await socket.ConnectAsync(Ws($"/api/instances/{id}/vnc?token={token}"), Timeout());
        // The server's RFB version proves the proxy reached the VNC server and is relaying.
        var buffer = new byte[64];
        var first = await socket.ReceiveAsync(buffer, Timeout());
        Assert.Equal(WebSocketMessageType.Binary, first.MessageType);
        Assert.StartsWith("RFB ", Encoding.ASCII.GetString(buffer, 0, first.Count));
        return socket;
    }

    private async Task<ClientWebSocket> OpenCloudbotAsync(string token, string id)
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(Ws($"/api/instances/{id}/cloudbot?token={token}"), Timeout());
        // The gateway's hello proves the proxy reached it (what the browser sends before that is not relayed).
        await ReceiveUntilAsync(socket, """{"type":"event","event":"hello","payload":{"n":1}}""");
        await AssertRelaysAsync(socket);
        return socket;
    }

    /// <summary>A message sent through the proxy comes back from the test gateway as its echo.</summary>
    private static async Task AssertRelaysAsync(ClientWebSocket socket)
    {
        var message = $$"""{"type":"req","id":"{{Guid.NewGuid():N}}"}""";
        await socket.SendAsync(Encoding.UTF8.GetBytes(message), WebSocketMessageType.Text, true, Timeout());
        await ReceiveUntilAsync(socket, "echo:" + message);
    }

    private static async Task ReceiveUntilAsync(ClientWebSocket socket, string expected)
    {
        var buffer = new byte[64 * 1024];
        using var timeout = new CancellationTokenSource(Patience);
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, timeout.Token);
            Assert.NotEqual(WebSocketMessageType.Close, result.MessageType);
            if (Encoding.UTF8.GetString(buffer, 0, result.Count) == expected)
            {
                return;
            }
        }
    }

    private static async Task<(WebSocketCloseStatus? Status, string? Reason)> DrainToCloseAsync(ClientWebSocket socket)
    {
        var buffer = new byte[64 * 1024];
        using var timeout = new CancellationTokenSource(Patience);
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, timeout.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return (socket.CloseStatus, socket.CloseStatusDescription);
            }
        }
    }

    private Uri Ws(string path) => new(new Uri(host.Host.BaseAddress.ToString().Replace("http", "ws")), path);

    private static CancellationToken Timeout() => new CancellationTokenSource(Patience).Token;
}
