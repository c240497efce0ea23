using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using OrbitGrains.Accounts;
using OrbitGrains.Hosting;
using OrbitGrains.WebFrontend.Accounts;
using Orleans.Storage;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace OrbitGrains.Tests.Accounts;

public sealed class SessionLifecycleHost : AccountsHost
{
    public const string JwtSecret = "k8Qz2mV7pX4rT9wL1nB6cY3hJ5sD0fG8aE2uI7oP4qR9tW1x";

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["ACCESS_TTL_SEC"] = "120",
        ["REFRESH_TTL_SEC"] = "600",
        ["CODEX_REMOTE_WEB_JWT_SECRET"] = JwtSecret,
    };
}

public sealed class SessionLifecycleTests(SessionLifecycleHost host) : AccountsHostTest<SessionLifecycleHost>(host)
{
    private const string JwtSecret = SessionLifecycleHost.JwtSecret;

    [Fact]
    public async Task Logout_kills_the_access_token_and_its_refresh_token_at_once()
    {
        var session = await Api.RegisterAsync(AccountsApi.NewName());
        Assert.True(await Api.IsSignedInAsync(session.Token));
        Assert.Equal(HttpStatusCode.UpgradeRequired, await Api.PreflightAsync("/ws/client", session.Token));

        await Api.LogoutAsync(session.Token);

        Assert.False(await Api.IsSignedInAsync(session.Token));
        Assert.Equal(HttpStatusCode.Unauthorized, await Api.PreflightAsync("/ws/client", session.Token));
        await AccountsApi.ExpectErrorAsync(await Api.RefreshAsync(session.RefreshToken), HttpStatusCode.Unauthorized, "Invalid or expired refresh token.");
    }

    [Fact]
    public async Task Logout_always_answers_204()
    {
        using var anonymous = await Api.SendAsync(HttpMethod.Post, "/auth/logout", null);
        Assert.Equal(HttpStatusCode.NoContent, anonymous.StatusCode);
        using var garbage = await Api.SendAsync(HttpMethod.Post, "/auth/logout", "[1,2", "garbage-token");
        Assert.Equal(HttpStatusCode.NoContent, garbage.StatusCode);

        var session = await Api.RegisterAsync(AccountsApi.NewName());
        await Api.LogoutAsync(session.Token);
        // A second logout with the dead token changes nothing and still answers 204.
        await Api.LogoutAsync(session.Token);
    }

    [Fact]
    public async Task Refresh_rotates_both_tokens_and_kills_the_old_session()
    {
        var session = await Api.RegisterAsync(AccountsApi.NewName());

        var body = await AccountsApi.ExpectJsonAsync(await Api.RefreshAsync(session.RefreshToken), HttpStatusCode.OK);
        Assert.Equal(["token", "refreshToken", "user"], body.Select(p => p.Key));
        Assert.Equal(session.UserId, (string?)body["user"]!["id"]);
        Assert.Equal(session.Name, (string?)body["user"]!["name"]);
        var newToken = (string)body["token"]!;
        var newRefresh = (string)body["refreshToken"]!;
        Assert.NotEqual(session.Token, newToken);
        Assert.NotEqual(session.RefreshToken, newRefresh);

        Assert.True(await Api.IsSignedInAsync(newToken));
        Assert.False(await Api.IsSignedInAsync(session.Token));
        Assert.Equal(HttpStatusCode.Unauthorized, await Api.PreflightAsync("/ws/client", session.Token));
    }

    [Fact]
    public async Task A_refresh_token_used_twice_revokes_the_whole_family()
    {
        var session = await Api.RegisterAsync(AccountsApi.NewName());
        var rotated = await AccountsApi.ExpectJsonAsync(await Api.RefreshAsync(session.RefreshToken), HttpStatusCode.OK);
        var newToken = (string)rotated["token"]!;
        var newRefresh = (string)rotated["refreshToken"]!;
        Assert.True(await Api.IsSignedInAsync(newToken));
        // Past the grace window in which a second use of the same token is taken for a second tab, not a theft.
        Clock.Advance(FamilyRotation.GraceWindow + TimeSpan.FromSeconds(1));

        await AccountsApi.ExpectErrorAsync(await Api.RefreshAsync(session.RefreshToken), HttpStatusCode.Unauthorized, "Invalid or expired refresh token.");

        Assert.False(await Api.IsSignedInAsync(newToken));
        await AccountsApi.ExpectErrorAsync(await Api.RefreshAsync(newRefresh), HttpStatusCode.Unauthorized, "Invalid or expired refresh token.");
    }

    [Fact]
    public async Task Refresh_errors_follow_the_contract()
    {
        await AccountsApi.ExpectErrorAsync(await Api.PostJsonAsync("/auth/refresh", new { }), HttpStatusCode.BadRequest, "refreshToken is required.");
        await AccountsApi.ExpectErrorAsync(await Api.SendAsync(HttpMethod.Post, "/auth/refresh", null), HttpStatusCode.BadRequest, "refreshToken is required.");
        await AccountsApi.ExpectErrorAsync(await Api.SendAsync(HttpMethod.Post, "/auth/refresh", "nope"), HttpStatusCode.BadRequest, "refreshToken is required.");
        await AccountsApi.ExpectErrorAsync(await Api.SendAsync(HttpMethod.Post, "/auth/refresh", "[\"x\"]"), HttpStatusCode.BadRequest, "refreshToken is required.");
        await AccountsApi.ExpectErrorAsync(await Api.PostJsonAsync("/auth/refresh", new { refreshToken = 7 }), HttpStatusCode.BadRequest, "refreshToken is required.");
        await AccountsApi.ExpectErrorAsync(await Api.RefreshAsync("unknown-token"), HttpStatusCode.Unauthorized, "Invalid or expired refresh token.");
        await AccountsApi.ExpectErrorAsync(await Api.RefreshAsync(new string('r', 10_000)), HttpStatusCode.Unauthorized, "Invalid or expired refresh token.");

        // An access token is not a refresh token.
        var session = await Api.RegisterAsync(AccountsApi.NewName());
        await AccountsApi.ExpectErrorAsync(await Api.RefreshAsync(session.Token), HttpStatusCode.Unauthorized, "Invalid or expired refresh token.");
        Assert.True(await Api.IsSignedInAsync(session.Token));
    }

    [Fact]
    public async Task Access_and_refresh_tokens_expire_by_the_clock()
    {
        var session = await Api.RegisterAsync(AccountsApi.NewName());
        Clock.Advance(TimeSpan.FromSeconds(121));

        Assert.False(await Api.IsSignedInAsync(session.Token));
        Assert.Equal(HttpStatusCode.Unauthorized, await Api.PreflightAsync("/ws/client", session.Token));

        // The refresh token outlives the access token: that is what it is for.
        var rotated = await AccountsApi.ExpectJsonAsync(await Api.RefreshAsync(session.RefreshToken), HttpStatusCode.OK);
        Assert.True(await Api.IsSignedInAsync((string)rotated["token"]!));

        Clock.Advance(TimeSpan.FromSeconds(601));
        await AccountsApi.ExpectErrorAsync(
            await Api.RefreshAsync((string)rotated["refreshToken"]!), HttpStatusCode.Unauthorized, "Invalid or expired refresh token.");
    }

    [Fact]
    public async Task An_expired_session_nobody_reads_is_removed_by_its_reminder()
    {
        var session = await Api.RegisterAsync(AccountsApi.NewName());
        var grainId = GrainId.Create("session", SessionIdOf(session.Token));
        Assert.True(await StoredAsync<SessionGrain.State>("session", grainId));
        Assert.True(await HasExpiryReminderAsync(grainId));

        // A reminder that fires before the expiry (as the first one does when a long expiry is reached in steps) keeps the session.
        await Host.Grains.GetGrain<IRemindable>(grainId).ReceiveReminder(ExpiringStateExtensions.ReminderName, default);
        Assert.True(await Api.IsSignedInAsync(session.Token));

        Clock.Advance(TimeSpan.FromSeconds(121));
        await Host.Grains.GetGrain<IRemindable>(grainId).ReceiveReminder(ExpiringStateExtensions.ReminderName, default);

        Assert.False(await StoredAsync<SessionGrain.State>("session", grainId));
        Assert.False(await HasExpiryReminderAsync(grainId));
    }

    [Fact]
    public async Task An_expired_sign_in_is_removed_from_the_store_when_its_refresh_token_is_presented()
    {
        var session = await Api.RegisterAsync(AccountsApi.NewName());
        Assert.True(RefreshTokenFormat.TryRead(session.RefreshToken, out var familyId, out _, out _));
        var grainId = GrainId.Create("tokenfamily", familyId);
        Assert.True(await StoredAsync<TokenFamilyGrain.State>("token-family", grainId));

        Clock.Advance(TimeSpan.FromSeconds(601));
        await AccountsApi.ExpectErrorAsync(await Api.RefreshAsync(session.RefreshToken), HttpStatusCode.Unauthorized, "Invalid or expired refresh token.");

        Assert.False(await StoredAsync<TokenFamilyGrain.State>("token-family", grainId));
        Assert.False(await HasExpiryReminderAsync(grainId));
    }

    [Fact]
    public async Task One_users_logout_leaves_another_users_session_alive()
    {
        var alice = await Api.RegisterAsync(AccountsApi.NewName("alice"));
        var bob = await Api.RegisterAsync(AccountsApi.NewName("bob"));

        await Api.LogoutAsync(bob.Token);

        Assert.True(await Api.IsSignedInAsync(alice.Token));
        Assert.False(await Api.IsSignedInAsync(bob.Token));
    }

    [Fact]
    public async Task Signing_in_twice_gives_independent_sessions()
    {
        var name = AccountsApi.NewName();
        var laptop = await Api.RegisterAsync(name);
        var phone = await Api.LoginAsync(name);

        await Api.LogoutAsync(phone.Token);

        Assert.True(await Api.IsSignedInAsync(laptop.Token));
        Assert.Equal(HttpStatusCode.OK, (await Api.RefreshAsync(laptop.RefreshToken)).StatusCode);
    }

    [Fact]
    public async Task A_correctly_signed_token_is_refused_unless_its_live_session_belongs_to_its_subject()
    {
        var alice = await Api.RegisterAsync(AccountsApi.NewName("alice"));
        var bob = await Api.RegisterAsync(AccountsApi.NewName("bob"));
        var aliceSession = SessionIdOf(alice.Token);
        var now = Clock.GetUtcNow();

        // Bob's subject on Alice's session.
        Assert.False(await Api.IsSignedInAsync(Sign(bob.UserId, aliceSession, now, now.AddMinutes(1))));
        // A session id that was never issued.
        Assert.False(await Api.IsSignedInAsync(Sign(alice.UserId, Guid.NewGuid().ToString("N"), now, now.AddMinutes(1))));
        // Alice's live session, but the token's own exp has passed.
        Assert.False(await Api.IsSignedInAsync(Sign(alice.UserId, aliceSession, now.AddMinutes(-5), now.AddSeconds(-1))));
        // The control: the same construction with everything right is accepted, so the refusals above are for the stated reasons.
        Assert.True(await Api.IsSignedInAsync(Sign(alice.UserId, aliceSession, now, now.AddMinutes(1))));
    }

    [Fact]
    public async Task An_unsigned_token_naming_a_live_session_is_refused()
    {
        var alice = await Api.RegisterAsync(AccountsApi.NewName("alice"));
        var payload = alice.Token.Split('.')[1];
        var header = Base64UrlEncoder.Encode("{\"alg\":\"none\",\"typ\":\"JWT\"}");

        Assert.False(await Api.IsSignedInAsync($"{header}.{payload}."));
        Assert.Equal(HttpStatusCode.Unauthorized, await Api.PreflightAsync("/ws/client", $"{header}.{payload}."));
        Assert.True(await Api.IsSignedInAsync(alice.Token));
    }

    [Fact]
    public async Task The_bearer_header_is_read_before_the_query()
    {
        var alice = await Api.RegisterAsync(AccountsApi.NewName("alice"));
        var query = $"/auth/session?token={Uri.EscapeDataString(alice.Token)}";

        var headerWins = await AccountsApi.ExpectJsonAsync(await Api.SendAsync(HttpMethod.Get, query, null, "stale-token"), HttpStatusCode.OK);
        Assert.False((bool)headerWins["authenticated"]!);
        var queryOnly = await AccountsApi.ExpectJsonAsync(await Api.SendAsync(HttpMethod.Get, query, null), HttpStatusCode.OK);
        Assert.True((bool)queryOnly["authenticated"]!);
    }

    [Fact]
    public async Task The_socket_preflight_reads_the_bearer_header_before_the_query()
    {
        var alice = await Api.RegisterAsync(AccountsApi.NewName("alice"));
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/ws/client?token=garbage"))
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", alice.Token);
            Assert.Equal(HttpStatusCode.UpgradeRequired, (await Api.Http.SendAsync(request)).StatusCode);
        }

        using (var request = new HttpRequestMessage(HttpMethod.Get, $"/ws/client?token={Uri.EscapeDataString(alice.Token)}"))
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "garbage");
            using var refused = await Api.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Equal("Unauthorised", await refused.Content.ReadAsStringAsync());
        }
    }

    private async Task<bool> StoredAsync<TState>(string stateName, GrainId grainId)
        where TState : class, IExpiringState, new()
    {
        var storage = Host.Services.GetRequiredKeyedService<IGrainStorage>(OrbitStorageNames.GrainState);
        var state = new GrainState<TState>(new TState());
        await storage.ReadStateAsync(stateName, grainId, state);
        return state.RecordExists && state.State is { ExpiresAt.Year: > 2000 };
    }

    private async Task<bool> HasExpiryReminderAsync(GrainId grainId)
    {
        var rows = await Host.Services.GetRequiredService<IReminderTable>().ReadRows(grainId);
        return rows.Reminders.Any(r => r.ReminderName == ExpiringStateExtensions.ReminderName);
    }

    private static string SessionIdOf(string token) => new JsonWebToken(token).Id;

    [Fact]
    public async Task A_token_whose_nbf_is_still_ahead_is_refused()
    {
        var alice = await Api.RegisterAsync(AccountsApi.NewName("alice"));
        var now = Clock.GetUtcNow();

        Assert.False(await Api.IsSignedInAsync(Sign(alice.UserId, SessionIdOf(alice.Token), now, now.AddMinutes(30), notBefore: now.AddMinutes(5))));
        // The control: the same token with its nbf reached is accepted.
        Assert.True(await Api.IsSignedInAsync(Sign(alice.UserId, SessionIdOf(alice.Token), now, now.AddMinutes(30), notBefore: now)));
    }

    private static string Sign(string subject, string sessionId, DateTimeOffset issuedAt, DateTimeOffset expires, DateTimeOffset? notBefore = null) =>
        new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "codex-remote-auth",
            Audience = "codex-remote-web",
            Claims = new Dictionary<string, object>
            {
                ["sub"] = subject,
                ["name"] = "forged",
                ["jti"] = sessionId,
                ["iat"] = issuedAt.ToUnixTimeSeconds(),
                ["exp"] = expires.ToUnixTimeSeconds(),
                ["nbf"] = (notBefore ?? issuedAt).ToUnixTimeSeconds(),
            },
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(JwtSecret)), SecurityAlgorithms.HmacSha256),
        });
}
