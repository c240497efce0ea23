using System.Net;
using System.Net.WebSockets;
using OrbitGrains.Tests.Accounts;

namespace OrbitGrains.Tests.Relay;

/// <summary>The relay with the product's real tokens: a web session for the client, the device flow for the anchor.</summary>
public sealed class RelayAccountsTests : IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    private RunningHost _host = null!;

    public async Task InitializeAsync()
    {
        var configuration = RunningHost.IsolatedConfiguration(_data.Path, "relay-accounts");
        configuration["RELAY_REVALIDATE_SEC"] = "1";
        _host = await RunningHost.StartFrontEndAsync(configuration);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task A_signed_in_person_and_their_anchor_talk_and_logout_closes_the_door()
    {
        var api = new AccountsApi(_host.Http);
        var session = await api.RegisterAsync(AccountsApi.NewName("relay"));
        var anchorToken = (string)(await api.SignInAnchorAsync(session.Token))["anchorAccessToken"]!;

        Assert.Equal(HttpStatusCode.UpgradeRequired, await api.PreflightAsync("/ws/client", session.Token));
        Assert.Equal(HttpStatusCode.UpgradeRequired, await api.PreflightAsync("/ws/anchor", anchorToken));
        Assert.Equal(HttpStatusCode.Unauthorized, await api.PreflightAsync("/ws/anchor", session.Token));

        await using var client = await OrbitSocket.ConnectAsync(_host.BaseAddress, $"/ws/client?token={Uri.EscapeDataString(session.Token)}&clientId=tab");
        await client.NextOfTypeAsync("orbit.hello");
        await using var anchor = await OrbitSocket.ConnectAsync(_host.BaseAddress, $"/ws/anchor?token={Uri.EscapeDataString(anchorToken)}");
        await anchor.NextOfTypeAsync("orbit.hello");
        await anchor.SendAsync(new { type = "anchor.hello", anchorId = "real-anchor", hostname = "desk", platform = "linux" });
        await client.NextOfTypeAsync("orbit.anchor-connected");

        await client.SendAsync(new { id = 1, method = "thread/list" });
        Assert.Equal(1, (int)(await anchor.NextAsync(f => (string?)f["method"] == "thread/list"))["id"]!);

        // Another user's token reaches only that user's (empty) relay.
        var other = await api.RegisterAsync(AccountsApi.NewName("other"));
        await using var stranger = await OrbitSocket.ConnectAsync(_host.BaseAddress, $"/ws/client?token={Uri.EscapeDataString(other.Token)}");
        await stranger.NextOfTypeAsync("orbit.hello");
        await stranger.SendAsync(new { id = 2, method = "thread/list", @params = new { anchorId = "real-anchor" } });
        Assert.Equal("anchor_not_found", (string?)(await stranger.NextAsync(f => f["error"] is not null))["error"]!["data"]!["code"]);

        await api.LogoutAsync(session.Token);
        Assert.Equal(HttpStatusCode.Unauthorized, await api.PreflightAsync("/ws/client", session.Token));

        // The socket opened before the logout ends too, at its next token check.
        await client.ClosedAsync(TimeSpan.FromSeconds(15));
        Assert.Equal(4401, (int?)client.CloseStatus);
        Assert.Equal(WebSocketState.Open, anchor.State);
        var refused = await Assert.ThrowsAsync<WebSocketException>(() =>
            OrbitSocket.ConnectAsync(_host.BaseAddress, $"/ws/client?token={Uri.EscapeDataString(session.Token)}"));
        Assert.Contains("401", refused.Message);
    }
}
