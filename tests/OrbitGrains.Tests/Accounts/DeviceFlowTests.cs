using System.Net;

namespace OrbitGrains.Tests.Accounts;

public sealed class DeviceFlowHost : AccountsHost
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["DEVICE_CODE_TTL_SEC"] = "300",
        ["DEVICE_CODE_POLL_INTERVAL_SEC"] = "7",
        ["DEVICE_VERIFICATION_URL"] = "https://app.example.test/device",
        ["ANCHOR_ACCESS_TTL_SEC"] = "400",
        ["ANCHOR_REFRESH_TTL_SEC"] = "900",
    };
}

public sealed class DeviceFlowTests(DeviceFlowHost host) : AccountsHostTest<DeviceFlowHost>(host)
{
    [Fact]
    public async Task Device_code_answers_every_field_of_the_contract()
    {
        var code = await Api.DeviceCodeAsync();

        Assert.Equal(["deviceCode", "userCode", "verificationUrl", "expiresIn", "interval"], code.Select(p => p.Key));
        var deviceCode = (string)code["deviceCode"]!;
        Assert.Matches("^[A-Za-z0-9_-]{43,}$", deviceCode);
        Assert.Matches("^[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{4}-[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{4}$", (string)code["userCode"]!);
        Assert.Equal("https://app.example.test/device", (string?)code["verificationUrl"]);
        Assert.Equal(300, (int)code["expiresIn"]!);
        Assert.Equal(7, (int)code["interval"]!);

        var other = await Api.DeviceCodeAsync();
        Assert.NotEqual(deviceCode, (string)other["deviceCode"]!);
        Assert.NotEqual((string)code["userCode"]!, (string)other["userCode"]!);
    }

    [Fact]
    public async Task Device_flow_end_to_end_gives_anchor_tokens_once()
    {
        var user = await Api.RegisterAsync(AccountsApi.NewName());
        var code = await Api.DeviceCodeAsync();
        var deviceCode = (string)code["deviceCode"]!;

        Assert.Equal("pending", (string?)(await Api.PollAsync(deviceCode))["status"]);

        // Typed in lower case with spaces around: still the same code.
        var typed = $"  {((string)code["userCode"]!).ToLowerInvariant()} ";
        var ok = await AccountsApi.ExpectJsonAsync(await Api.AuthoriseAsync(typed, user.Token), HttpStatusCode.OK);
        Assert.Equal(["ok"], ok.Select(p => p.Key));
        Assert.True((bool)ok["ok"]!);

        var authorised = await Api.PollAsync(deviceCode);
        Assert.Equal(["status", "userId", "anchorAccessToken", "anchorRefreshToken", "anchorAccessExpiresIn"], authorised.Select(p => p.Key));
        Assert.Equal("authorised", (string?)authorised["status"]);
        Assert.Equal(user.UserId, (string?)authorised["userId"]);
        Assert.Equal(400, (int)authorised["anchorAccessExpiresIn"]!);
        var access = (string)authorised["anchorAccessToken"]!;
        var refresh = (string)authorised["anchorRefreshToken"]!;
        Assert.NotEqual(access, refresh);

        // Consumed: the next poll looks like an unknown code.
        Assert.Equal("expired", (string?)(await Api.PollAsync(deviceCode))["status"]);
        Assert.Equal(HttpStatusCode.UpgradeRequired, await Api.PreflightAsync("/ws/anchor", access));
        // Anchor tokens and web tokens are not interchangeable.
        Assert.Equal(HttpStatusCode.Unauthorized, await Api.PreflightAsync("/ws/anchor", refresh));
        Assert.Equal(HttpStatusCode.Unauthorized, await Api.PreflightAsync("/ws/anchor", user.Token));
        Assert.Equal(HttpStatusCode.Unauthorized, await Api.PreflightAsync("/ws/client", access));
    }

    [Theory]
    [InlineData("no dash")]
    [InlineData("lower case, no dash")]
    [InlineData("lower case, a space for the dash")]
    public async Task A_user_code_typed_without_its_dash_or_in_lower_case_approves_the_device(string typing)
    {
        var user = await Api.RegisterAsync(AccountsApi.NewName());
        var code = await Api.DeviceCodeAsync();
        var shown = (string)code["userCode"]!;
        var typed = typing switch
        {
            "no dash" => shown.Replace("-", ""),
            "lower case, no dash" => shown.Replace("-", "").ToLowerInvariant(),
            _ => shown.Replace("-", " ").ToLowerInvariant(),
        };

        await AccountsApi.ExpectJsonAsync(await Api.AuthoriseAsync(typed, user.Token), HttpStatusCode.OK);
        Assert.Equal("authorised", (string?)(await Api.PollAsync((string)code["deviceCode"]!))["status"]);
    }

    [Fact]
    public async Task Unknown_device_codes_are_expired()
    {
        Assert.Equal("expired", (string?)(await Api.PollAsync("no-such-code"))["status"]);
        Assert.Equal("expired", (string?)(await Api.PollAsync(new string('d', 10_000)))["status"]);
    }

    [Fact]
    public async Task Device_codes_expire_by_the_clock()
    {
        var user = await Api.RegisterAsync(AccountsApi.NewName());
        var code = await Api.DeviceCodeAsync();
        Clock.Advance(TimeSpan.FromSeconds(301));

        await AccountsApi.ExpectErrorAsync(
            await Api.AuthoriseAsync((string)code["userCode"]!, user.Token), HttpStatusCode.BadRequest, "Code expired or not found.");
        Assert.Equal("expired", (string?)(await Api.PollAsync((string)code["deviceCode"]!))["status"]);
    }

    [Fact]
    public async Task A_code_approved_before_its_account_was_disabled_gives_no_tokens()
    {
        var user = await Api.RegisterAsync(AccountsApi.NewName());
        var code = await Api.DeviceCodeAsync();
        using (var ok = await Api.AuthoriseAsync((string)code["userCode"]!, user.Token))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        await new AdminApi(Api.Http, AccountsHost.AdminToken).DisableAsync(user.UserId);
        var poll = await Api.PollAsync((string)code["deviceCode"]!);
        Assert.Equal("expired", (string?)poll["status"]);
        Assert.Null(poll["accessToken"]);
    }

    [Fact]
    public async Task An_authorised_but_unclaimed_code_still_expires()
    {
        var user = await Api.RegisterAsync(AccountsApi.NewName());
        var code = await Api.DeviceCodeAsync();
        using (var ok = await Api.AuthoriseAsync((string)code["userCode"]!, user.Token))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        Clock.Advance(TimeSpan.FromSeconds(301));
        Assert.Equal("expired", (string?)(await Api.PollAsync((string)code["deviceCode"]!))["status"]);
    }

    [Fact]
    public async Task Authorise_errors_follow_the_contract()
    {
        var user = await Api.RegisterAsync(AccountsApi.NewName());
        var code = await Api.DeviceCodeAsync();
        var userCode = (string)code["userCode"]!;

        await AccountsApi.ExpectErrorAsync(await Api.AuthoriseAsync(userCode, bearer: null), HttpStatusCode.Unauthorized, "Unauthorised");
        await AccountsApi.ExpectErrorAsync(await Api.AuthoriseAsync(userCode, "not-a-token"), HttpStatusCode.Unauthorized, "Unauthorised");
        await AccountsApi.ExpectErrorAsync(await Api.PostJsonAsync("/auth/device/authorise", new { }, user.Token), HttpStatusCode.BadRequest, "userCode is required.");
        await AccountsApi.ExpectErrorAsync(await Api.SendAsync(HttpMethod.Post, "/auth/device/authorise", "[1]", user.Token), HttpStatusCode.BadRequest, "userCode is required.");
        await AccountsApi.ExpectErrorAsync(await Api.PostJsonAsync("/auth/device/authorise", new { userCode = 12345678 }, user.Token), HttpStatusCode.BadRequest, "userCode is required.");
        await AccountsApi.ExpectErrorAsync(await Api.AuthoriseAsync("ZZZZ-ZZZZ", user.Token), HttpStatusCode.BadRequest, "Code expired or not found.");
        await AccountsApi.ExpectErrorAsync(await Api.AuthoriseAsync(userCode.Replace("-", "") + "A", user.Token), HttpStatusCode.BadRequest, "Code expired or not found.");
        await AccountsApi.ExpectErrorAsync(await Api.AuthoriseAsync(userCode + "-", user.Token), HttpStatusCode.BadRequest, "Code expired or not found.");
        await AccountsApi.ExpectErrorAsync(await Api.AuthoriseAsync(new string('A', 5000), user.Token), HttpStatusCode.BadRequest, "Code expired or not found.");

        // None of that touched the real code.
        Assert.Equal("pending", (string?)(await Api.PollAsync((string)code["deviceCode"]!))["status"]);
        // The web token may also come in the query.
        using var byQuery = await Api.PostJsonAsync($"/auth/device/authorise?token={Uri.EscapeDataString(user.Token)}", new { userCode });
        Assert.Equal(HttpStatusCode.OK, byQuery.StatusCode);
    }

    [Fact]
    public async Task Token_and_refresh_require_their_fields()
    {
        await AccountsApi.ExpectErrorAsync(await Api.PostJsonAsync("/auth/device/token", new { }), HttpStatusCode.BadRequest, "deviceCode is required.");
        await AccountsApi.ExpectErrorAsync(await Api.SendAsync(HttpMethod.Post, "/auth/device/token", null), HttpStatusCode.BadRequest, "deviceCode is required.");
        await AccountsApi.ExpectErrorAsync(await Api.PostJsonAsync("/auth/device/token", new { deviceCode = true }), HttpStatusCode.BadRequest, "deviceCode is required.");
        await AccountsApi.ExpectErrorAsync(await Api.PostJsonAsync("/auth/device/refresh", new { }), HttpStatusCode.BadRequest, "refreshToken is required.");
        await AccountsApi.ExpectErrorAsync(await Api.SendAsync(HttpMethod.Post, "/auth/device/refresh", "{{"), HttpStatusCode.BadRequest, "refreshToken is required.");
        await AccountsApi.ExpectErrorAsync(
            await Api.PostJsonAsync("/auth/device/refresh", new { refreshToken = "unknown" }), HttpStatusCode.Unauthorized, "Invalid or expired refresh token.");
        using var huge = await Api.PostJsonAsync("/auth/device/token", new { deviceCode = new string('x', 100_000) });
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, huge.StatusCode);
    }

    [Fact]
    public async Task Anchor_refresh_rotates_the_pair_and_spends_the_old_refresh_token()
    {
        var user = await Api.RegisterAsync(AccountsApi.NewName());
        var first = await Api.SignInAnchorAsync(user.Token);
        var oldAccess = (string)first["anchorAccessToken"]!;
        var oldRefresh = (string)first["anchorRefreshToken"]!;

        var rotated = await AccountsApi.ExpectJsonAsync(
            await Api.PostJsonAsync("/auth/device/refresh", new { refreshToken = oldRefresh }), HttpStatusCode.OK);
        Assert.Equal(["anchorAccessToken", "anchorRefreshToken", "anchorAccessExpiresIn", "userId"], rotated.Select(p => p.Key));
        Assert.Equal(user.UserId, (string?)rotated["userId"]);
        Assert.Equal(400, (int)rotated["anchorAccessExpiresIn"]!);
        var newAccess = (string)rotated["anchorAccessToken"]!;

        Assert.Equal(HttpStatusCode.UpgradeRequired, await Api.PreflightAsync("/ws/anchor", newAccess));
        Assert.Equal(HttpStatusCode.Unauthorized, await Api.PreflightAsync("/ws/anchor", oldAccess));
        // An access token cannot refresh.
        await AccountsApi.ExpectErrorAsync(
            await Api.PostJsonAsync("/auth/device/refresh", new { refreshToken = newAccess }), HttpStatusCode.Unauthorized, "Invalid or expired refresh token.");
        Assert.Equal(HttpStatusCode.UpgradeRequired, await Api.PreflightAsync("/ws/anchor", newAccess));
        // Within the grace window the same refresh token gets the same pair (an Anchor retrying a lost answer).
        var again = await AccountsApi.ExpectJsonAsync(await Api.PostJsonAsync("/auth/device/refresh", new { refreshToken = oldRefresh }), HttpStatusCode.OK);
        Assert.Equal(rotated.ToJsonString(), again.ToJsonString());
        Clock.Advance(OrbitGrains.Accounts.FamilyRotation.GraceWindow + TimeSpan.FromSeconds(1));
        await AccountsApi.ExpectErrorAsync(
            await Api.PostJsonAsync("/auth/device/refresh", new { refreshToken = oldRefresh }), HttpStatusCode.Unauthorized, "Invalid or expired refresh token.");
        // Spending the old refresh token after the window ends the sign-in's whole chain (AnchorTokenFamilyTests).
        Assert.Equal(HttpStatusCode.Unauthorized, await Api.PreflightAsync("/ws/anchor", newAccess));
    }

    [Fact]
    public async Task Anchor_tokens_expire_by_the_clock()
    {
        var user = await Api.RegisterAsync(AccountsApi.NewName());
        var anchor = await Api.SignInAnchorAsync(user.Token);
        var access = (string)anchor["anchorAccessToken"]!;
        var refresh = (string)anchor["anchorRefreshToken"]!;

        Clock.Advance(TimeSpan.FromSeconds(401));
        Assert.Equal(HttpStatusCode.Unauthorized, await Api.PreflightAsync("/ws/anchor", access));

        Clock.Advance(TimeSpan.FromSeconds(500));
        await AccountsApi.ExpectErrorAsync(
            await Api.PostJsonAsync("/auth/device/refresh", new { refreshToken = refresh }), HttpStatusCode.Unauthorized, "Invalid or expired refresh token.");
    }

    [Fact]
    public async Task A_code_authorised_by_one_user_cannot_be_taken_by_another()
    {
        var alice = await Api.RegisterAsync(AccountsApi.NewName("alice"));
        var bob = await Api.RegisterAsync(AccountsApi.NewName("bob"));
        var code = await Api.DeviceCodeAsync();
        var userCode = (string)code["userCode"]!;

        using (var ok = await Api.AuthoriseAsync(userCode, alice.Token))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        await AccountsApi.ExpectErrorAsync(await Api.AuthoriseAsync(userCode, bob.Token), HttpStatusCode.BadRequest, "Code expired or not found.");
        // Approving again as the same user is harmless.
        using (var again = await Api.AuthoriseAsync(userCode, alice.Token))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        }

        var poll = await Api.PollAsync((string)code["deviceCode"]!);
        Assert.Equal(alice.UserId, (string?)poll["userId"]);
    }

    [Fact]
    public async Task A_signed_out_user_cannot_authorise()
    {
        var user = await Api.RegisterAsync(AccountsApi.NewName());
        var code = await Api.DeviceCodeAsync();
        await Api.LogoutAsync(user.Token);

        await AccountsApi.ExpectErrorAsync(await Api.AuthoriseAsync((string)code["userCode"]!, user.Token), HttpStatusCode.Unauthorized, "Unauthorised");
        Assert.Equal("pending", (string?)(await Api.PollAsync((string)code["deviceCode"]!))["status"]);
    }

    [Fact]
    public async Task Preflights_answer_426_text_for_live_tokens_and_401_text_otherwise()
    {
        var user = await Api.RegisterAsync(AccountsApi.NewName());
        var anchor = await Api.SignInAnchorAsync(user.Token);

        await ExpectTextAsync($"/ws/client?token={Uri.EscapeDataString(user.Token)}", HttpStatusCode.UpgradeRequired, "Upgrade required");
        await ExpectTextAsync($"/ws/anchor?token={Uri.EscapeDataString((string)anchor["anchorAccessToken"]!)}", HttpStatusCode.UpgradeRequired, "Upgrade required");
        foreach (var path in new[] { "/ws/client", "/ws/client?token=", "/ws/client?token=junk", "/ws/anchor", "/ws/anchor?token=junk" })
        {
            await ExpectTextAsync(path, HttpStatusCode.Unauthorized, "Unauthorised");
        }
    }

    private async Task ExpectTextAsync(string path, HttpStatusCode status, string text)
    {
        using var response = await Api.Http.GetAsync(path);
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(text, await response.Content.ReadAsStringAsync());
    }
}
