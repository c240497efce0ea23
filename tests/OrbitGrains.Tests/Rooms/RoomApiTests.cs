using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OrbitGrains.WebFrontend.Rooms;

namespace OrbitGrains.Tests.Rooms;

/// <summary>/api/login, /api/session, /api/turn and the room tokens they issue, against a real host.</summary>
[Collection(RoomsCollection.Name)]
public sealed class RoomApiTests(RoomsHostFixture fixture)
{
    private HttpClient Http => fixture.Host.Http;

    private static HttpRequestMessage Post(string path, string? bearer, object? body = null, string? rawJson = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path);
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        if (rawJson is not null)
        {
            request.Content = new StringContent(rawJson, Encoding.UTF8, "application/json");
        }
        else if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return request;
    }

    private async Task<(HttpStatusCode Status, JsonObject? Body)> SendAsync(HttpRequestMessage request)
    {
        using (request)
        using (var response = await Http.SendAsync(request))
        {
            var text = await response.Content.ReadAsStringAsync();
            return (response.StatusCode, text.Length > 0 ? JsonNode.Parse(text) as JsonObject : null);
        }
    }

    [Fact]
    public async Task Login_with_a_static_token_returns_a_short_lived_room_token_with_the_asked_role()
    {
        var (status, body) = await SendAsync(Post("/api/login", RoomsHostFixture.StaticToken, new { role = "viewer", name = "vic" }));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("viewer", (string?)body!["role"]);
        Assert.Equal(900, (int)body["expires_in"]!);
        var jwt = new JsonWebToken((string)body["token"]!);
        Assert.Equal(RoomTokens.Audience, jwt.Audiences.Single());
        Assert.Equal("viewer", jwt.GetClaim("role").Value);
        Assert.InRange((jwt.ValidTo - DateTime.UtcNow).TotalSeconds, 800, 901);

        // Without a role, a static token is an operator.
        var (_, plain) = await SendAsync(Post("/api/login", RoomsHostFixture.StaticToken));
        Assert.Equal("operator", (string?)plain!["role"]);
    }

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData("wrong-token", HttpStatusCode.Unauthorized)]
    public async Task Login_refuses_callers_without_a_valid_credential(string? bearer, HttpStatusCode expected)
    {
        var (status, body) = await SendAsync(Post("/api/login", bearer, new { role = "viewer" }));
        Assert.Equal(expected, status);
        Assert.False(string.IsNullOrWhiteSpace((string?)body!["detail"]));
    }

    [Fact]
    public async Task Login_refuses_bad_bodies_and_admin_for_a_static_token_and_a_room_token_as_credential()
    {
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(Post("/api/login", RoomsHostFixture.StaticToken, new { role = "pilot" }))).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(Post("/api/login", RoomsHostFixture.StaticToken, rawJson: "{\"role\": 3}"))).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(Post("/api/login", RoomsHostFixture.StaticToken, rawJson: "{not json"))).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(Post("/api/login", RoomsHostFixture.StaticToken, new { name = new string('x', 65) }))).Status);
        var (forbidden, detail) = await SendAsync(Post("/api/login", RoomsHostFixture.StaticToken, new { role = "admin" }));
        Assert.Equal(HttpStatusCode.Forbidden, forbidden);
        Assert.Contains("admin", (string?)detail!["detail"]);

        var roomToken = await fixture.RoomTokenAsync("operator");
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(Post("/api/login", roomToken, new { role = "operator" }))).Status);

        var (adminStatus, admin) = await SendAsync(Post("/api/login", RoomsHostFixture.AdminToken, new { role = "admin" }));
        Assert.Equal(HttpStatusCode.OK, adminStatus);
        Assert.Equal("admin", (string?)admin!["role"]);
    }

    [Fact]
    public async Task Session_creation_needs_an_operator_or_admin_and_returns_a_joinable_session_id()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(Post("/api/session", null))).Status);
        var viewerToken = await fixture.RoomTokenAsync("viewer");
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(Post("/api/session", viewerToken))).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(Post("/api/session", RoomsHostFixture.StaticToken, rawJson: "[]"))).Status);

        var (status, body) = await SendAsync(Post("/api/session", await fixture.RoomTokenAsync("operator"), new { name = "dock 3" }));
        Assert.Equal(HttpStatusCode.Created, status);
        var sessionId = (string)body!["session_id"]!;
        Assert.Equal("dock 3", (string?)body["name"]);
        await using var peer = await fixture.JoinAsync(sessionId, "viewer");
        Assert.Empty((JsonArray)peer.Joined["participants"]!);
    }

    [Fact]
    public async Task An_unknown_session_is_accepted_then_closed_4404()
    {
        var token = await fixture.RoomTokenAsync("viewer");
        await using var socket = await OrbitSocket.ConnectAsync(fixture.Host.BaseAddress, $"/ws?token={token}&session_id=does-not-exist");
        Assert.Equal("unknown_session", (string?)(await socket.NextOfTypeAsync("error"))["code"]);
        await socket.ClosedAsync();
        Assert.Equal((WebSocketCloseStatus)4404, socket.CloseStatus);
    }

    [Fact]
    public async Task Expired_wrongly_signed_and_foreign_audience_room_tokens_are_refused_with_4401()
    {
        var session = await fixture.SessionAsync();
        var key = new SymmetricSecurityKey(RoomTokens.DeriveKey(Encoding.UTF8.GetBytes(RoomsHostFixture.JwtSecret)));
        var now = DateTime.UtcNow;
        string Sign(SymmetricSecurityKey signingKey, string audience, DateTime expires) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = RoomTokens.Issuer,
            Audience = audience,
            IssuedAt = expires.AddMinutes(-15),
            NotBefore = expires.AddMinutes(-15),
            Expires = expires,
            Claims = new Dictionary<string, object> { ["sub"] = "mallory", ["role"] = "operator" },
            SigningCredentials = new SigningCredentials(signingKey, SecurityAlgorithms.HmacSha256),
        });

        // The same construction with a live expiry is accepted, so the refusals below are about what they change.
        var good = Sign(key, RoomTokens.Audience, now.AddMinutes(5));
        await using (var accepted = await OrbitSocket.ConnectAsync(fixture.Host.BaseAddress, $"/ws?token={good}&session_id={session}"))
        {
            Assert.Equal("operator", (string?)(await accepted.NextOfTypeAsync("joined"))["role"]);
        }

        var refused = new[]
        {
            Sign(key, RoomTokens.Audience, now.AddSeconds(-30)),
            Sign(new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32)), RoomTokens.Audience, now.AddMinutes(5)),
            Sign(key, "orbitgrains-web", now.AddMinutes(5)),
        };
        foreach (var token in refused)
        {
            await using var socket = await OrbitSocket.ConnectAsync(fixture.Host.BaseAddress, $"/ws?token={token}&session_id={session}");
            Assert.Equal("unauthorized", (string?)(await socket.NextOfTypeAsync("error"))["code"]);
            await socket.ClosedAsync();
            Assert.Equal((WebSocketCloseStatus)4401, socket.CloseStatus);
        }

        // An expired token is also useless as an HTTP bearer.
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(Post("/api/session", refused[0]))).Status);
    }

    [Fact]
    public async Task Turn_credentials_follow_the_rest_rule_and_come_with_the_join()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/turn");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await fixture.RoomTokenAsync("viewer", "tess"));
        using var response = await Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(600, (int)body["ttl"]!);
        AssertValidTurn((JsonArray)body["ice_servers"]!, "tess");

        var session = await fixture.SessionAsync();
        await using var peer = await fixture.JoinAsync(session, "robot", "rob");
        AssertValidTurn((JsonArray)peer.Joined["ice_servers"]!, "rob");

        using var anonymous = new HttpRequestMessage(HttpMethod.Get, "/api/turn");
        using var refused = await Http.SendAsync(anonymous);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    private static void AssertValidTurn(JsonArray servers, string user)
    {
        var turn = Assert.Single(servers, s => ((JsonArray)s!["urls"]!).Any(u => ((string)u!).StartsWith("turn:")))!;
        Assert.Equal(RoomsHostFixture.TurnUrl, (string?)turn["urls"]![0]);
        var username = (string)turn["username"]!;
        var parts = username.Split(':', 2);
        Assert.StartsWith(user, parts[1]);
        var expiry = DateTimeOffset.FromUnixTimeSeconds(long.Parse(parts[0]));
        Assert.InRange((expiry - DateTimeOffset.UtcNow).TotalSeconds, 590, 601);
        var expected = Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(RoomsHostFixture.TurnSecret), Encoding.UTF8.GetBytes(username)));
        Assert.Equal(expected, (string?)turn["credential"]);
        Assert.DoesNotContain(RoomsHostFixture.TurnSecret, servers.ToJsonString());
    }

    [Fact]
    public async Task Root_page_says_the_service_is_up_and_health_counts_room_sockets()
    {
        using var root = await Http.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, root.StatusCode);
        Assert.Equal("text/html", root.Content.Headers.ContentType!.MediaType);
        Assert.Contains("is up", await root.Content.ReadAsStringAsync());

        var session = await fixture.SessionAsync();
        await using var a = await fixture.JoinAsync(session, "viewer");
        await using var b = await fixture.JoinAsync(session, "viewer");
        var health = (await Http.GetFromJsonAsync<JsonObject>("/health"))!;
        Assert.Equal("ok", (string?)health["status"]);
        Assert.NotNull((string?)health["service"]);
        Assert.True((long)health["active_connections"]! >= 2);

        using var plain = await Http.GetAsync("/ws");
        Assert.Equal(HttpStatusCode.UpgradeRequired, plain.StatusCode);
    }
}
