using System.Net;
using OrbitGrains.Accounts;

namespace OrbitGrains.Tests.Accounts;

public sealed class RefreshGraceHost : AccountsHost
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["RELAY_REVALIDATE_SEC"] = "1",
        ["REFRESH_TTL_SEC"] = "600",
    };
}

/// <summary>
/// Two tabs refreshing with one token both stay signed in; a spent token coming back later still revokes the family;
/// an open socket follows the sign-in, not the exact access token.
/// </summary>
public sealed class RefreshGraceTests(RefreshGraceHost host) : AccountsHostTest<RefreshGraceHost>(host)
{
    [Fact]
    public async Task Two_concurrent_refreshes_with_one_token_both_get_the_same_new_pair()
    {
        var session = await Api.RegisterAsync(AccountsApi.NewName("tabs"));
        var answers = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Api.RefreshAsync(session.RefreshToken)));
        var bodies = await Task.WhenAll(answers.Select(a => AccountsApi.ExpectJsonAsync(a, HttpStatusCode.OK)));

        Assert.Equal(bodies[0].ToJsonString(), bodies[1].ToJsonString());
        var token = (string)bodies[0]["token"]!;
        Assert.True(await Api.IsSignedInAsync(token));
        Assert.False(await Api.IsSignedInAsync(session.Token));
        // The pair they share goes on as one chain.
        var next = await AccountsApi.ExpectJsonAsync(await Api.RefreshAsync((string)bodies[0]["refreshToken"]!), HttpStatusCode.OK);
        Assert.True(await Api.IsSignedInAsync((string)next["token"]!));
    }

    [Fact]
    public async Task A_spent_token_after_the_grace_window_revokes_the_family_and_closes_its_socket_at_once()
    {
        var session = await Api.RegisterAsync(AccountsApi.NewName("late"));
        var rotated = await AccountsApi.ExpectJsonAsync(await Api.RefreshAsync(session.RefreshToken), HttpStatusCode.OK);
        var token = (string)rotated["token"]!;
        await using var socket = await OrbitSocket.ConnectAsync(Host.BaseAddress, $"/ws/client?token={Uri.EscapeDataString(token)}&clientId=tab");
        await socket.NextOfTypeAsync("orbit.hello");

        Clock.Advance(FamilyRotation.GraceWindow + TimeSpan.FromSeconds(1));
        await AccountsApi.ExpectErrorAsync(await Api.RefreshAsync(session.RefreshToken), HttpStatusCode.Unauthorized, "Invalid or expired refresh token.");

        Assert.False(await Api.IsSignedInAsync(token));
        await AccountsApi.ExpectErrorAsync(await Api.RefreshAsync((string)rotated["refreshToken"]!), HttpStatusCode.Unauthorized, "Invalid or expired refresh token.");
        await socket.ClosedAsync();
        Assert.Equal(4401, (int?)socket.CloseStatus);
    }

    [Fact]
    public async Task An_open_socket_stays_open_across_refreshes_of_its_session_and_closes_4401_on_logout()
    {
        var session = await Api.RegisterAsync(AccountsApi.NewName("socket"));
        await using var socket = await OrbitSocket.ConnectAsync(Host.BaseAddress, $"/ws/client?token={Uri.EscapeDataString(session.Token)}&clientId=tab");
        await socket.NextOfTypeAsync("orbit.hello");
        // A canary whose sign-in will run out by the clock: its socket closing proves a periodic check ran.
        var canary = await Api.RegisterAsync(AccountsApi.NewName("canary"));
        await using var canarySocket = await OrbitSocket.ConnectAsync(Host.BaseAddress, $"/ws/client?token={Uri.EscapeDataString(canary.Token)}&clientId=tab");
        await canarySocket.NextOfTypeAsync("orbit.hello");

        Clock.Advance(TimeSpan.FromSeconds(500));
        var refreshToken = session.RefreshToken;
        string token = session.Token;
        for (var i = 0; i < 3; i++)
        {
            var rotated = await AccountsApi.ExpectJsonAsync(await Api.RefreshAsync(refreshToken), HttpStatusCode.OK);
            refreshToken = (string)rotated["refreshToken"]!;
            token = (string)rotated["token"]!;
        }

        // Past the canary's refresh lifetime (600 s), within the refreshed sign-in's.
        Clock.Advance(TimeSpan.FromSeconds(200));
        await canarySocket.ClosedAsync();
        Assert.Equal(4401, (int?)canarySocket.CloseStatus);

        // The socket opened with the first (long dead) access token is still up: its sign-in lives on.
        await socket.SendAsync(new { type = "ping" });
        await socket.NextOfTypeAsync("pong");
        Assert.Equal(System.Net.WebSockets.WebSocketState.Open, socket.State);

        await Api.LogoutAsync(token);
        await socket.ClosedAsync();
        Assert.Equal(4401, (int?)socket.CloseStatus);
    }

    [Fact]
    public async Task Two_concurrent_anchor_refreshes_with_one_token_both_get_the_same_pair()
    {
        var session = await Api.RegisterAsync(AccountsApi.NewName("anchor"));
        var anchor = await Api.SignInAnchorAsync(session.Token);
        var answers = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ =>
            Api.PostJsonAsync("/auth/device/refresh", new { refreshToken = (string)anchor["anchorRefreshToken"]! })));
        var bodies = await Task.WhenAll(answers.Select(a => AccountsApi.ExpectJsonAsync(a, HttpStatusCode.OK)));
        Assert.Equal(bodies[0].ToJsonString(), bodies[1].ToJsonString());
        Assert.Equal(HttpStatusCode.UpgradeRequired, await Api.PreflightAsync("/ws/anchor", (string)bodies[0]["anchorAccessToken"]!));
        Assert.Equal(HttpStatusCode.Unauthorized, await Api.PreflightAsync("/ws/anchor", (string)anchor["anchorAccessToken"]!));
    }
}
