using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OrbitGrains.Tests.Accounts;

public sealed class EmailAuthHost : AccountsHost
{
    public const string ControlPlane = "control-plane-test-token-0123456789abcdefgh";

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["CONTROL_PLANE_TOKEN"] = ControlPlane };
}

/// <summary>Email accounts of the cloud (`/api/auth`) and agent (`/v1/auth`) families, and bearer user tokens.</summary>
public sealed class EmailAuthTests(EmailAuthHost host) : AccountsHostTest<EmailAuthHost>(host)
{
    private static string NewEmail() => $"{Guid.NewGuid():N}"[..12] + "@example.com";

    [Fact]
    public async Task Cloud_signup_login_me_refresh_and_logout()
    {
        var email = NewEmail();
        var signup = await Api.PostJsonAsync("/api/auth/signup", new { email, password = "correct horse" });
        Assert.Equal(HttpStatusCode.Created, signup.StatusCode);
        var tokens = await signup.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal("bearer", (string?)tokens!["token_type"]);

        var login = await Api.PostJsonAsync("/api/auth/login", new { email = email.ToUpperInvariant(), password = "correct horse" });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var session = (await login.Content.ReadFromJsonAsync<JsonObject>())!;

        var me = await Api.SendAsync(HttpMethod.Get, "/api/auth/me", null, (string)session["access_token"]!);
        var body = await me.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal(email, (string?)body!["email"]);
        Assert.NotNull((string?)body["id"]);
        Assert.NotNull((string?)body["created_at"]);

        var refreshed = await Api.PostJsonAsync("/api/auth/refresh", new { refresh_token = (string)session["refresh_token"]! });
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        var next = (await refreshed.Content.ReadFromJsonAsync<JsonObject>())!;
        await ExpectDetailAsync(await Api.SendAsync(HttpMethod.Get, "/api/auth/me", null, (string)session["access_token"]!), HttpStatusCode.Unauthorized, "Invalid or expired token");
        Clock.Advance(OrbitGrains.Accounts.FamilyRotation.GraceWindow + TimeSpan.FromSeconds(1));
        await ExpectDetailAsync(await Api.PostJsonAsync("/api/auth/refresh", new { refresh_token = (string)session["refresh_token"]! }), HttpStatusCode.Unauthorized, "Invalid or expired refresh token");

        // Replaying the spent refresh token above meant theft: the whole family, new token included, is revoked.
        Assert.Equal(HttpStatusCode.Unauthorized, (await Api.SendAsync(HttpMethod.Get, "/api/auth/me", null, (string)next["access_token"]!)).StatusCode);

        var fresh = (await (await Api.PostJsonAsync("/api/auth/login", new { email, password = "correct horse" })).Content.ReadFromJsonAsync<JsonObject>())!;
        var logout = await Api.SendAsync(HttpMethod.Post, "/api/auth/logout", null, (string)fresh["access_token"]!);
        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Api.SendAsync(HttpMethod.Get, "/api/auth/me", null, (string)fresh["access_token"]!)).StatusCode);
    }

    [Fact]
    public async Task Cloud_errors_follow_the_contract()
    {
        var email = NewEmail();
        await ExpectDetailAsync(await Api.PostJsonAsync("/api/auth/signup", new { email, password = "short" }), HttpStatusCode.BadRequest, "Password must be at least 8 characters");
        await ExpectDetailAsync(await Api.PostJsonAsync("/api/auth/signup", new { email = "not-an-email", password = "long enough" }), HttpStatusCode.UnprocessableEntity, "A valid email address is required");
        Assert.Equal(HttpStatusCode.Created, (await Api.PostJsonAsync("/api/auth/signup", new { email, password = "long enough" })).StatusCode);
        await ExpectDetailAsync(await Api.PostJsonAsync("/api/auth/signup", new { email, password = "another one" }), HttpStatusCode.BadRequest, "Email already registered");
        await ExpectDetailAsync(await Api.PostJsonAsync("/api/auth/login", new { email, password = "wrong password" }), HttpStatusCode.Unauthorized, "Incorrect email or password");

        var anonymous = await Api.SendAsync(HttpMethod.Get, "/api/auth/me", null);
        await ExpectDetailAsync(anonymous, HttpStatusCode.Forbidden, "Not authenticated");
        var forged = await Api.SendAsync(HttpMethod.Get, "/api/auth/me", null, "forged.jwt.value");
        Assert.Contains("Bearer", forged.Headers.WwwAuthenticate.ToString());
        await ExpectDetailAsync(forged, HttpStatusCode.Unauthorized, "Invalid or expired token");
    }

    [Theory]
    [InlineData("/api/auth/signup", "not json")]
    [InlineData("/api/auth/signup", "[]")]
    [InlineData("/api/auth/signup", "{\"email\":123,\"password\":[]}")]
    [InlineData("/api/auth/login", "{\"email\":\"a@b.co\"}")]
    [InlineData("/v1/auth/signup", "{\"email\":\"x\",\"password\":\"long enough\"}")]
    [InlineData("/v1/auth/login", "")]
    public async Task Malformed_bodies_are_4xx_and_create_nothing(string path, string body)
    {
        var response = await Api.SendAsync(HttpMethod.Post, path, body);
        Assert.InRange((int)response.StatusCode, 400, 499);
    }

    [Fact]
    public async Task Huge_bodies_are_refused_with_413()
    {
        var response = await Api.PostJsonAsync("/api/auth/signup", new { email = NewEmail(), password = new string('p', 200_000) });
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task One_directory_an_email_account_of_one_family_signs_in_through_the_others()
    {
        var email = NewEmail();
        Assert.Equal(HttpStatusCode.Created, (await Api.PostJsonAsync("/api/auth/signup", new { email, password = "shared password" })).StatusCode);

        await ExpectDetailAsync(await Api.PostJsonAsync("/v1/auth/signup", new { email, password = "shared password" }), HttpStatusCode.Conflict, "Email already registered.");
        var agentLogin = await Api.PostJsonAsync("/v1/auth/login", new { email, password = "shared password" });
        Assert.Equal(HttpStatusCode.OK, agentLogin.StatusCode);
        var orbit = await Api.LoginAsync(email, "shared password");
        Assert.Equal((string?)(await agentLogin.Content.ReadFromJsonAsync<JsonObject>())!["userId"], orbit.UserId);
    }

    [Fact]
    public async Task Agent_signup_gives_a_user_token_that_rotates_and_revokes()
    {
        var email = NewEmail();
        var signup = await Api.PostJsonAsync("/v1/auth/signup", new { email, password = "agent password" });
        Assert.Equal(HttpStatusCode.Created, signup.StatusCode);
        var first = (await signup.Content.ReadFromJsonAsync<JsonObject>())!;
        var token = (string)first["userToken"]!;
        Assert.True(token.Length >= 43);
        Assert.Equal(email, (string?)first["email"]);

        var rotated = await Api.SendAsync(HttpMethod.Post, "/v1/user-token/rotate", null, token);
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        var second = (await rotated.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.NotNull((string?)second["rotatedAt"]);
        await ExpectDetailAsync(await Api.SendAsync(HttpMethod.Post, "/v1/user-token/rotate", null, token), HttpStatusCode.Unauthorized, "Invalid user token.");

        var newToken = (string)second["userToken"]!;
        Assert.Equal(HttpStatusCode.NoContent, (await Api.SendAsync(HttpMethod.Post, "/v1/user-token/revoke", null, newToken)).StatusCode);
        await ExpectDetailAsync(await Api.SendAsync(HttpMethod.Post, "/v1/user-token/rotate", null, newToken), HttpStatusCode.Unauthorized, "Invalid user token.");
    }

    [Fact]
    public async Task Issue_needs_the_control_plane_token_and_replaces_the_active_token()
    {
        await ExpectDetailAsync(await Api.PostJsonAsync("/v1/user-token/issue", new { }), HttpStatusCode.Unauthorized, "Invalid or missing X-Control-Plane-Token.");
        await ExpectDetailAsync(await IssueAsync(new { }, "wrong-control-plane-token"), HttpStatusCode.Unauthorized, "Invalid or missing X-Control-Plane-Token.");
        await ExpectDetailAsync(await IssueAsync(new { email = NewEmail() }, EmailAuthHost.ControlPlane), HttpStatusCode.NotFound, "User not found.");

        var email = NewEmail();
        var signup = await (await Api.PostJsonAsync("/v1/auth/signup", new { email, password = "agent password" })).Content.ReadFromJsonAsync<JsonObject>();
        var issued = await IssueAsync(new { email }, EmailAuthHost.ControlPlane);
        Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        var body = (await issued.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal((string?)signup!["userId"], (string?)body["userId"]);
        Assert.NotNull((string?)body["rotatedAt"]);
        await ExpectDetailAsync(await Api.SendAsync(HttpMethod.Post, "/v1/user-token/rotate", null, (string)signup["userToken"]!), HttpStatusCode.Unauthorized, "Invalid user token.");

        var oldest = await IssueAsync(new { }, EmailAuthHost.ControlPlane);
        Assert.Equal(HttpStatusCode.Created, oldest.StatusCode);
    }

    [Theory]
    [InlineData("{\"email\":123}", HttpStatusCode.UnprocessableEntity)]
    [InlineData("{\"email\":\"\"}", HttpStatusCode.UnprocessableEntity)]
    [InlineData("{\"email\":\" \"}", HttpStatusCode.UnprocessableEntity)]
    [InlineData("{\"email\":[\"bob@example.com\"]}", HttpStatusCode.UnprocessableEntity)]
    [InlineData("{\"email\": \"bob@", HttpStatusCode.BadRequest)]
    [InlineData("[]", HttpStatusCode.BadRequest)]
    [InlineData("{\"emial\":\"bob@example.com\"}", HttpStatusCode.UnprocessableEntity)]
    public async Task Issue_refuses_a_body_that_does_not_say_whose_token_and_revokes_nothing(string body, HttpStatusCode status)
    {
        // Only an absent body or email means the first user: anything else naming nobody must not replace her token.
        await Api.PostJsonAsync("/v1/auth/signup", new { email = NewEmail(), password = "agent password" });
        var first = await IssueRawAsync("");
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var token = (string)(await first.Content.ReadFromJsonAsync<JsonObject>())!["userToken"]!;

        var refused = await IssueRawAsync(body);
        Assert.Equal(status, refused.StatusCode);
        Assert.False(string.IsNullOrEmpty((await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()));

        Assert.Equal(HttpStatusCode.OK, (await Api.SendAsync(HttpMethod.Get, "/v1/agents", null, token)).StatusCode);
        var again = await IssueRawAsync("{}");
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Api.SendAsync(HttpMethod.Get, "/v1/agents", null, token)).StatusCode);
    }

    [Fact]
    public async Task Issue_with_no_body_an_empty_object_or_a_null_email_is_for_the_first_user()
    {
        await Api.PostJsonAsync("/v1/auth/signup", new { email = NewEmail(), password = "agent password" });
        var owners = new List<string>();
        foreach (var body in new[] { "", "{}", "{\"email\":null}" })
        {
            var issued = await IssueRawAsync(body);
            Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
            owners.Add((string)(await issued.Content.ReadFromJsonAsync<JsonObject>())!["userId"]!);
        }

        Assert.Single(owners.Distinct());
    }

    [Theory]
    [InlineData("/api/auth/signup", "carol\\u200b@example.com")]
    [InlineData("/api/auth/signup", "car\\u00adol@example.com")]
    [InlineData("/api/auth/signup", "carol@exam\\u200dple.com")]
    [InlineData("/api/auth/signup", "x\\u202eyz@x.com")]
    [InlineData("/v1/auth/signup", "carol\\u200b@example.com")]
    [InlineData("/v1/auth/signup", "x\\u202eyz@x.com")]
    [InlineData("/api/auth/signup", "carol\\u034f@example.com")]
    [InlineData("/api/auth/signup", "carol\\u3164@example.com")]
    [InlineData("/v1/auth/signup", "carol\\ufe0f@example.com")]
    public async Task Email_signup_refuses_invisible_formatting_characters_as_register_basic_does(string path, string escaped)
    {
        var email = Guid.NewGuid().ToString("N")[..8] + System.Text.RegularExpressions.Regex.Unescape(escaped);
        await ExpectDetailAsync(await Api.PostJsonAsync(path, new { email, password = "long enough" }), HttpStatusCode.BadRequest,
            "Email must not contain invisible formatting characters.");
        using var basic = await Api.PostJsonAsync("/auth/register/basic", new { name = email, password = "long enough" });
        Assert.Equal(HttpStatusCode.BadRequest, basic.StatusCode);
    }

    [Fact]
    public async Task Email_signup_of_a_name_that_normalises_to_an_existing_one_is_a_duplicate()
    {
        var local = "dave" + Guid.NewGuid().ToString("N")[..8];
        var email = local + "@example.com";
        var lookalike = "\uff44" + local[1..] + "@example.com";
        Assert.Equal(HttpStatusCode.Created, (await Api.PostJsonAsync("/api/auth/signup", new { email, password = "dave's password" })).StatusCode);

        await ExpectDetailAsync(await Api.PostJsonAsync("/api/auth/signup", new { email = lookalike, password = "another password" }), HttpStatusCode.BadRequest, "Email already registered");
        await ExpectDetailAsync(await Api.PostJsonAsync("/v1/auth/signup", new { email = lookalike, password = "another password" }), HttpStatusCode.Conflict, "Email already registered.");
        await ExpectDetailAsync(await Api.PostJsonAsync("/api/auth/login", new { email = lookalike, password = "another password" }), HttpStatusCode.Unauthorized, "Incorrect email or password");
        Assert.Equal(HttpStatusCode.OK, (await Api.PostJsonAsync("/api/auth/login", new { email = lookalike, password = "dave's password" })).StatusCode);
    }

    [Fact]
    public async Task User_token_bearer_errors_name_what_is_wrong()
    {
        await ExpectDetailAsync(await Api.SendAsync(HttpMethod.Post, "/v1/user-token/rotate", null), HttpStatusCode.Unauthorized, "Missing Authorization header.");
        using var basic = new HttpRequestMessage(HttpMethod.Post, "/v1/user-token/rotate");
        basic.Headers.TryAddWithoutValidation("Authorization", "Basic dXNlcjpwYXNz");
        await ExpectDetailAsync(await Api.Http.SendAsync(basic), HttpStatusCode.Unauthorized, "Authorization header must be Bearer <token>.");
        await ExpectDetailAsync(await Api.SendAsync(HttpMethod.Post, "/v1/user-token/revoke", null, new string('x', 5000)), HttpStatusCode.Unauthorized, "Invalid user token.");
    }

    [Fact]
    public async Task A_user_token_authenticates_across_the_product_with_the_users_roles()
    {
        var signup = await (await Api.PostJsonAsync("/v1/auth/signup", new { email = NewEmail(), password = "agent password" })).Content.ReadFromJsonAsync<JsonObject>();
        var token = (string)signup!["userToken"]!;
        // A new account is a member: the operator console is for operators and admins.
        Assert.Equal(HttpStatusCode.Forbidden, (await Api.SendAsync(HttpMethod.Get, "/api/v1/jobs", null, token)).StatusCode);
        await GrantAsync((string)signup["userId"]!, "operator");
        Assert.Equal(HttpStatusCode.OK, (await Api.SendAsync(HttpMethod.Get, "/api/v1/jobs", null, token)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Api.SendAsync(HttpMethod.Get, "/api/v1/jobs", null, token + "x")).StatusCode);
    }

    private async Task GrantAsync(string userId, string role)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/admin/users/{userId}/roles") { Content = JsonContent.Create(new { roles = new[] { role } }) };
        request.Headers.Authorization = new("Bearer", AccountsHost.AdminToken);
        Assert.Equal(HttpStatusCode.OK, (await Api.Http.SendAsync(request)).StatusCode);
    }

    private Task<HttpResponseMessage> IssueAsync(object body, string controlPlane)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/user-token/issue") { Content = JsonContent.Create(body) };
        request.Headers.Add("X-Control-Plane-Token", controlPlane);
        return Api.Http.SendAsync(request);
    }

    private Task<HttpResponseMessage> IssueRawAsync(string body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/user-token/issue") { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Control-Plane-Token", EmailAuthHost.ControlPlane);
        return Api.Http.SendAsync(request);
    }

    private static async Task ExpectDetailAsync(HttpResponseMessage response, HttpStatusCode status, string detail)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal(detail, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }
}
