using System.Net;
using System.Text.Json.Nodes;

namespace OrbitGrains.Tests.Accounts;

public sealed class BasicAuthTests(AccountsHost host) : AccountsHostTest<AccountsHost>(host)
{
    [Fact]
    public async Task Register_answers_the_session_response_field_by_field()
    {
        var name = AccountsApi.NewName();
        var body = await AccountsApi.ExpectJsonAsync(
            await Api.PostJsonAsync("/auth/register/basic", new { name, displayName = "Ada L." }), HttpStatusCode.OK);

        Assert.Equal(["verified", "token", "refreshToken", "user"], body.Select(p => p.Key));
        Assert.True((bool)body["verified"]!);
        var user = body["user"]!.AsObject();
        Assert.Equal(["id", "name"], user.Select(p => p.Key));
        Assert.Equal(name, (string?)user["name"]);
        Assert.False(string.IsNullOrEmpty((string?)user["id"]));
        // Opaque refresh token: at least 48 random bytes, URL-safe.
        var refresh = (string)body["refreshToken"]!;
        Assert.True(refresh.Length >= 64, refresh.Length.ToString());
        Assert.Matches("^[A-Za-z0-9_-]+$", refresh);
    }

    [Fact]
    public async Task The_access_token_is_a_jwt_with_the_contract_claims()
    {
        var name = AccountsApi.NewName();
        var session = await Api.RegisterAsync(name);

        var parts = session.Token.Split('.');
        Assert.Equal(3, parts.Length);
        var header = JsonNode.Parse(Convert.FromBase64String(Pad(parts[0])))!.AsObject();
        var claims = JsonNode.Parse(Convert.FromBase64String(Pad(parts[1])))!.AsObject();
        Assert.Equal("HS256", (string?)header["alg"]);
        Assert.Equal("codex-remote-auth", (string?)claims["iss"]);
        Assert.Equal("codex-remote-web", (string?)claims["aud"]);
        Assert.Equal(session.UserId, (string?)claims["sub"]);
        Assert.Equal(name, (string?)claims["name"]);
        Assert.False(string.IsNullOrEmpty((string?)claims["jti"]));
        Assert.Equal(3600, (long)claims["exp"]! - (long)claims["iat"]!);
        Assert.Equal((long)claims["iat"]!, (long)claims["nbf"]!);
        Assert.Equal(new[] { "aud", "exp", "iat", "iss", "jti", "name", "nbf", "sub" }, claims.Select(c => c.Key).Order());
    }

    [Fact]
    public async Task Session_shows_the_signed_in_user_and_anonymous_without_a_live_token()
    {
        var session = await Api.RegisterAsync(AccountsApi.NewName());

        var signedIn = await Api.SessionStatusAsync(session.Token);
        Assert.True((bool)signedIn["authenticated"]!);
        Assert.Equal(session.UserId, (string?)signedIn["user"]!["id"]);
        Assert.Equal(session.Name, (string?)signedIn["user"]!["name"]);
        Assert.False((bool)signedIn["hasPasskey"]!);
        Assert.True((bool)signedIn["systemHasUsers"]!);

        foreach (var token in new string?[] { null, "not-a-jwt", session.Token + "x", session.RefreshToken })
        {
            var anonymous = await Api.SessionStatusAsync(token);
            Assert.False((bool)anonymous["authenticated"]!);
            Assert.Null(anonymous["user"]);
            Assert.True(anonymous.ContainsKey("user"));
        }

        // The query value counts too, trimmed.
        using var byQuery = await Api.Http.GetAsync($"/auth/session?token=%20{Uri.EscapeDataString(session.Token)}%20");
        Assert.True((bool)(await AccountsApi.ExpectJsonAsync(byQuery, HttpStatusCode.OK))["authenticated"]!);
    }

    [Fact]
    public async Task A_token_signed_with_another_key_is_refused()
    {
        var session = await Api.RegisterAsync(AccountsApi.NewName());
        var parts = session.Token.Split('.');
        var forged = $"{parts[0]}.{parts[1]}.{Convert.ToBase64String(new byte[32]).TrimEnd('=').Replace('+', '-').Replace('/', '_')}";

        Assert.False(await Api.IsSignedInAsync(forged));
        Assert.Equal(HttpStatusCode.Unauthorized, await Api.PreflightAsync("/ws/client", forged));
    }

    [Fact]
    public async Task Names_are_unique_ignoring_case_and_login_matches_any_case()
    {
        var lower = AccountsApi.NewName("mixed");
        var upper = lower.ToUpperInvariant();
        var first = await Api.RegisterAsync(lower);
        // As the Orbit original: "ANCHORUSER" after "anchoruser" is taken.
        await AccountsApi.ExpectErrorAsync(await Api.PostJsonAsync("/auth/register/basic", new { name = upper }), HttpStatusCode.BadRequest, "User already exists.");

        Assert.Equal(first.UserId, (await Api.LoginAsync(lower)).UserId);
        var login = await Api.LoginAsync(upper);
        Assert.Equal(first.UserId, login.UserId);
        Assert.Equal(lower, login.Name);
        Assert.True(await Api.IsSignedInAsync(login.Token));
    }

    [Theory]
    [InlineData("ｆｕｌｌ", "full")]
    [InlineData("ﬁle", "file")]
    [InlineData("Ａｌｉｃｅ", "Alice")]
    public async Task Names_are_stored_in_nfkc_so_look_alikes_are_one_name(string typed, string stored)
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var session = await Api.RegisterAsync(typed + suffix);
        Assert.Equal(stored + suffix, session.Name);
        await AccountsApi.ExpectErrorAsync(await Api.PostJsonAsync("/auth/register/basic", new { name = stored + suffix }), HttpStatusCode.BadRequest, "User already exists.");
        Assert.Equal(session.UserId, (await Api.LoginAsync(typed + suffix)).UserId);
    }

    [Theory]
    [InlineData("zero\u200Bwidth", "Name must not contain invisible formatting characters.")]
    [InlineData("right\u202Eleft", "Name must not contain invisible formatting characters.")]
    // Default-ignorable code points outside category Cf print as nothing too (a fresh review found these accepted).
    [InlineData("grapheme\u034Fjoiner", "Name must not contain invisible formatting characters.")]
    [InlineData("hangul\u3164filler", "Name must not contain invisible formatting characters.")]
    [InlineData("choseong\u115Ffiller", "Name must not contain invisible formatting characters.")]
    [InlineData("khmer\u17B4vowel", "Name must not contain invisible formatting characters.")]
    [InlineData("variation\uFE00selector", "Name must not contain invisible formatting characters.")]
    [InlineData("tag\U000E0041letter", "Name must not contain invisible formatting characters.")]
    [InlineData("begin\U0001D173beam", "Name must not contain invisible formatting characters.")]
    [InlineData("bell\u0007", "Name must not contain control characters.")]
    public async Task Names_with_format_or_control_characters_are_refused(string escaped, string message)
    {
        var name = System.Text.RegularExpressions.Regex.Unescape(escaped) + Guid.NewGuid().ToString("N")[..6];
        await AccountsApi.ExpectErrorAsync(await Api.PostJsonAsync("/auth/register/basic", new { name }), HttpStatusCode.BadRequest, message);
        await AccountsApi.ExpectErrorAsync(await Api.PostJsonAsync("/auth/login/basic", new { username = name }), HttpStatusCode.BadRequest, "Invalid credentials.");
    }

    [Fact]
    public async Task Register_errors_follow_the_contract()
    {
        var name = AccountsApi.NewName();
        await Api.RegisterAsync(name);

        await AccountsApi.ExpectErrorAsync(await Api.PostJsonAsync("/auth/register/basic", new { name }), HttpStatusCode.BadRequest, "User already exists.");
        await AccountsApi.ExpectErrorAsync(await Api.PostJsonAsync("/auth/register/basic", new { name = "   " }), HttpStatusCode.BadRequest, "Name is required.");
        await AccountsApi.ExpectErrorAsync(await Api.PostJsonAsync("/auth/register/basic", new { displayName = "x" }), HttpStatusCode.BadRequest, "Name is required.");
    }

    [Fact]
    public async Task Concurrent_registrations_of_one_name_create_one_account()
    {
        var name = AccountsApi.NewName("race");
        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Api.PostJsonAsync("/auth/register/basic", new { name })));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
        foreach (var refused in responses.Where(r => r.StatusCode != HttpStatusCode.OK))
        {
            await AccountsApi.ExpectErrorAsync(refused, HttpStatusCode.BadRequest, "User already exists.");
        }

        var winner = Session.From(await AccountsApi.ExpectJsonAsync(responses.Single(r => r.StatusCode == HttpStatusCode.OK), HttpStatusCode.OK));
        Assert.Equal(winner.UserId, (await Api.LoginAsync(name)).UserId);
    }

    [Fact]
    public async Task Login_errors_follow_the_contract()
    {
        await AccountsApi.ExpectErrorAsync(await Api.PostJsonAsync("/auth/login/basic", new { username = "" }), HttpStatusCode.BadRequest, "Username is required.");
        await AccountsApi.ExpectErrorAsync(await Api.PostJsonAsync("/auth/login/basic", new { name = "someone" }), HttpStatusCode.BadRequest, "Username is required.");
        await AccountsApi.ExpectErrorAsync(
            await Api.PostJsonAsync("/auth/login/basic", new { username = AccountsApi.NewName("nobody") }), HttpStatusCode.BadRequest, "Invalid credentials.");
    }

    [Fact]
    public async Task An_account_registered_with_a_password_needs_it()
    {
        var name = AccountsApi.NewName();
        var registered = await Api.RegisterAsync(name, "correct horse battery");

        await AccountsApi.ExpectErrorAsync(await Api.PostJsonAsync("/auth/login/basic", new { username = name }), HttpStatusCode.BadRequest, "Invalid credentials.");
        await AccountsApi.ExpectErrorAsync(
            await Api.PostJsonAsync("/auth/login/basic", new { username = name, password = "wrong horse battery" }), HttpStatusCode.BadRequest, "Invalid credentials.");
        await AccountsApi.ExpectErrorAsync(
            await Api.PostJsonAsync("/auth/login/basic", new { username = name, password = 12345678 }), HttpStatusCode.BadRequest, "Invalid credentials.");
        Assert.Equal(registered.UserId, (await Api.LoginAsync(name, "correct horse battery")).UserId);

        await AccountsApi.ExpectErrorAsync(
            await Api.PostJsonAsync("/auth/register/basic", new { name = AccountsApi.NewName(), password = "short" }),
            HttpStatusCode.BadRequest, "Password must be 8 to 1024 characters.");
    }

    public static TheoryData<string?, string> MalformedBodies => new()
    {
        { null, "no body" },
        { "", "empty" },
        { "name=alice", "not JSON" },
        { "{\"name\":", "truncated JSON" },
        { "[\"NAME\"]", "array" },
        { "\"NAME\"", "string" },
        { "{\"name\":42}", "number for name" },
        { "{\"name\":{\"first\":\"NAME\"}}", "object for name" },
        { "{\"name\":null}", "null name" },
        { new string('[', 5000) + new string(']', 5000), "deep nesting" },
    };

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public async Task Malformed_register_bodies_get_400_and_store_nothing(string? raw, string _)
    {
        var name = AccountsApi.NewName("bad");
        var response = await Api.SendAsync(HttpMethod.Post, "/auth/register/basic", raw?.Replace("NAME", name));
        await AccountsApi.ExpectErrorAsync(response, HttpStatusCode.BadRequest, "Name is required.");

        // The name is still free.
        Assert.Equal(name, (await Api.RegisterAsync(name)).Name);
    }

    [Fact]
    public async Task Oversized_bodies_get_413_and_store_nothing()
    {
        var name = AccountsApi.NewName("big");
        var response = await Api.PostJsonAsync("/auth/register/basic", new { name, displayName = new string('x', 100_000) });
        var body = await AccountsApi.ExpectJsonAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.False(string.IsNullOrEmpty((string?)body["error"]));
        Assert.Equal(name, (await Api.RegisterAsync(name)).Name);

        using var login = await Api.PostJsonAsync("/auth/login/basic", new { username = new string('a', 100_000) });
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, login.StatusCode);
    }

    [Fact]
    public async Task Overlong_or_control_character_names_are_refused_and_not_stored()
    {
        var longName = new string('n', 65);
        await AccountsApi.ExpectErrorAsync(
            await Api.PostJsonAsync("/auth/register/basic", new { name = longName }), HttpStatusCode.BadRequest, "Name must be at most 64 characters.");
        await AccountsApi.ExpectErrorAsync(
            await Api.PostJsonAsync("/auth/register/basic", new { name = "bell\u0007" }), HttpStatusCode.BadRequest, "Name must not contain control characters.");
        await AccountsApi.ExpectErrorAsync(
            await Api.PostJsonAsync("/auth/login/basic", new { username = longName }), HttpStatusCode.BadRequest, "Invalid credentials.");
    }

    [Fact]
    public async Task The_routes_are_in_the_openapi_document_under_accounts()
    {
        using var response = await Api.Http.GetAsync("/openapi/v1.json");
        var document = await AccountsApi.ExpectJsonAsync(response, HttpStatusCode.OK);
        var paths = document["paths"]!.AsObject();
        var routes = new Dictionary<string, string>
        {
            ["/auth/session"] = "Accounts", ["/auth/register/basic"] = "Accounts", ["/auth/login/basic"] = "Accounts",
            ["/auth/refresh"] = "Accounts", ["/auth/logout"] = "Accounts", ["/auth/device/code"] = "Accounts",
            ["/auth/device/authorise"] = "Accounts", ["/auth/device/token"] = "Accounts", ["/auth/device/refresh"] = "Accounts",
            ["/auth/register/options"] = "Accounts", ["/auth/login/verify"] = "Accounts", ["/api/auth/signup"] = "Accounts",
            ["/v1/user-token/issue"] = "Accounts", ["/v1/auth/login"] = "Accounts",
            // The socket routes answer the preflight and the upgrade in one place, with the Relay family.
            ["/ws/client"] = "Relay", ["/ws/anchor"] = "Relay",
        };
        foreach (var (route, tag) in routes)
        {
            Assert.True(paths.ContainsKey(route), route);
            var operation = paths[route]!.AsObject().First().Value!;
            Assert.Equal(tag, (string?)operation["tags"]![0]);
            Assert.False(string.IsNullOrEmpty((string?)operation["summary"]), route);
        }
    }

    private static string Pad(string base64Url)
    {
        var s = base64Url.Replace('-', '+').Replace('_', '/');
        return s.PadRight(s.Length + (4 - s.Length % 4) % 4, '=');
    }
}
