using System.Net.WebSockets;

namespace OrbitGrains.Tests.Relay;

/// <summary>
/// The relay's periodic check of an open socket's credential (RELAY_REVALIDATE_SEC, <c>SignInWatch</c>) on its
/// own: the test's authenticator revokes a token without any account notice, so nothing else can close the socket.
/// </summary>
public sealed class RelaySignInWatchTests : IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    private RunningHost _host = null!;

    public async Task InitializeAsync()
    {
        var configuration = RunningHost.IsolatedConfiguration(_data.Path, "relay-sign-in");
        configuration["RELAY_REVALIDATE_SEC"] = "1";
        _host = await RunningHost.StartFrontEndAsync(configuration, configure: TestRelayAuthenticator.Use);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task A_socket_whose_credential_stopped_validating_is_closed_4401_and_the_others_stay_open()
    {
        var (alice, bob) = (RelayHostFixture.NewUser(), RelayHostFixture.NewUser());
        var aliceToken = TestRelayAuthenticator.ClientToken(alice);
        var bobToken = TestRelayAuthenticator.ClientToken(bob);
        await using var revoked = await ConnectAsync($"/ws/client?token={aliceToken}&clientId=tab");
        await using var anchor = await ConnectAsync($"/ws/anchor?token={TestRelayAuthenticator.AnchorToken(alice)}");
        await using var kept = await ConnectAsync($"/ws/client?token={bobToken}&clientId=tab");

        TestRelayAuthenticator.Revoke(aliceToken);
        var bobChecks = TestRelayAuthenticator.ValidationsOf(bobToken);

        await revoked.ClosedAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(4401, (int?)revoked.CloseStatus);

        // Bob's socket has been checked twice since the revocation (so it was looked at, not forgotten), and it and
        // Alice's anchor, whose credential still stands, are open and served.
        await Eventually.TrueAsync(() => TestRelayAuthenticator.ValidationsOf(bobToken) >= bobChecks + 2, "bob's socket is checked again");
        foreach (var open in new[] { kept, anchor })
        {
            await open.SendAsync(new { type = "ping" });
            await open.NextOfTypeAsync("pong");
            Assert.Equal(WebSocketState.Open, open.State);
        }
    }

    private async Task<OrbitSocket> ConnectAsync(string path)
    {
        var socket = await OrbitSocket.ConnectAsync(_host.BaseAddress, path);
        await socket.NextOfTypeAsync("orbit.hello");
        return socket;
    }
}
