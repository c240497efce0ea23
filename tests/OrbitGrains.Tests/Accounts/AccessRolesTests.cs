using System.Net;
using OrbitGrains.Relay;
using OrbitGrains.Rooms;

namespace OrbitGrains.Tests.Accounts;

public sealed class AccessRolesHost : AccountsHost
{
    public const string ListedName = "listed-admin";

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        // Once it made admin whoever registered a listed name first; now it grants nothing.
        ["ADMIN_USERS"] = ListedName,
        ["RELAY_REVALIDATE_SEC"] = "3600",
    };
}

/// <summary>A host of its own: "a fresh system" needs one nobody else has signed up on.</summary>
public sealed class FirstAdminHost : AccountsHost
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["ADMIN_USERS"] = AccessRolesHost.ListedName };
}

/// <summary>The first admin comes from the admin token, never from winning a race to sign up.</summary>
public sealed class FirstAdminTests(FirstAdminHost host) : AccountsHostTest<FirstAdminHost>(host)
{
    private AdminApi Admin => new(Api.Http, AccountsHost.AdminToken);

    [Fact]
    public async Task Racing_sign_ups_on_a_fresh_system_make_no_admin_and_the_admin_token_promotes_the_one_it_names()
    {
        Assert.False((bool)(await Api.SessionStatusAsync(null))["systemHasUsers"]!);

        // Twenty strangers race to be first on a fresh system; one of them takes the name ADMIN_USERS lists.
        var racers = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            Api.RegisterAsync(i == 7 ? AccessRolesHost.ListedName : AccountsApi.NewName($"racer{i}"))));
        var verdicts = await Task.WhenAll(racers.Select(r => Admin.AdminStatusAsync(r.Token)));
        Assert.All(verdicts, v => Assert.Equal(HttpStatusCode.Forbidden, v));
        Assert.Equal(HttpStatusCode.Forbidden, await DashboardAsync(racers[7].Token));

        // The bootstrap: whoever holds the admin token names the first admin.
        var chosen = racers[3];
        var granted = await Admin.SetRolesAsync(chosen.UserId, "admin");
        Assert.Equal(["member", "admin"], granted["roles"]!.AsArray().Select(r => (string)r!));
        Assert.Equal(HttpStatusCode.OK, await Admin.AdminStatusAsync(chosen.Token));
        Assert.Equal(HttpStatusCode.OK, await DashboardAsync(chosen.Token));
        Assert.All(await Task.WhenAll(racers.Where(r => r != chosen).Select(r => Admin.AdminStatusAsync(r.Token))),
            v => Assert.Equal(HttpStatusCode.Forbidden, v));

        // That admin may now grant roles too; a member may not.
        var promotedByAdmin = await Admin.SendAsync(HttpMethod.Put, $"/api/admin/users/{racers[5].UserId}/roles", new { roles = new[] { "operator" } }, chosen.Token);
        Assert.Equal(HttpStatusCode.OK, promotedByAdmin.StatusCode);
        var refused = await Admin.SendAsync(HttpMethod.Put, $"/api/admin/users/{racers[6].UserId}/roles", new { roles = new[] { "admin" } }, racers[5].Token);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    private async Task<HttpStatusCode> DashboardAsync(string bearer)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/dashboard/");
        request.Headers.Authorization = new("Bearer", bearer);
        using var response = await Api.Http.SendAsync(request);
        return response.StatusCode;
    }
}

/// <summary>Least privilege: roles an admin grants or revokes, and disabling, apply at once to requests and open sockets.</summary>
public sealed class AccessRolesTests(AccessRolesHost host) : AccountsHostTest<AccessRolesHost>(host)
{
    private AdminApi Admin => new(Api.Http, AccountsHost.AdminToken);

    [Fact]
    public async Task A_role_granted_or_revoked_applies_at_once_to_requests_with_the_same_token()
    {
        var user = await Api.RegisterAsync(AccountsApi.NewName("grant"));
        Assert.Equal(HttpStatusCode.Forbidden, await JobsAsync(user.Token));
        Assert.Equal(["member"], await SessionRolesAsync(user.Token));

        await Admin.SetRolesAsync(user.UserId, "operator");
        Assert.Equal(HttpStatusCode.OK, await JobsAsync(user.Token));
        Assert.Equal(HttpStatusCode.Forbidden, await Admin.AdminStatusAsync(user.Token));
        Assert.Equal(["member", "operator"], await SessionRolesAsync(user.Token));

        await Admin.SetRolesAsync(user.UserId);
        Assert.Equal(HttpStatusCode.Forbidden, await JobsAsync(user.Token));
        Assert.Equal(["member"], await SessionRolesAsync(user.Token));
    }

    [Fact]
    public async Task A_role_change_closes_the_persons_room_socket_so_it_rejoins_with_the_new_role()
    {
        var user = await Api.RegisterAsync(AccountsApi.NewName("room"));
        var room = Guid.NewGuid().ToString("N");
        // Their own room: an operator drives only the rooms they own.
        await Host.Grains.GetGrain<ISessionRoomGrain>(room).Create(user.Name, user.UserId, "grants", "operator", null);

        await using (var viewer = await JoinAsync(user.Token, room, "viewer"))
        {
            await Admin.SetRolesAsync(user.UserId, "operator");
            await viewer.ClosedAsync();
            Assert.Equal(RoomCloseCodes.RoleChanged, (int?)viewer.CloseStatus);
        }

        await using (var operatorSocket = await JoinAsync(user.Token, room, "operator"))
        {
            await Admin.SetRolesAsync(user.UserId);
            await operatorSocket.ClosedAsync();
            Assert.Equal(RoomCloseCodes.RoleChanged, (int?)operatorSocket.CloseStatus);
        }

        await using var again = await JoinAsync(user.Token, room, "viewer");
    }

    [Fact]
    public async Task Disabling_a_user_ends_every_credential_and_closes_their_sockets_at_once()
    {
        var email = $"{Guid.NewGuid():N}"[..12] + "@example.com";
        var signup = await AccountsApi.ExpectJsonAsync(await Api.PostJsonAsync("/v1/auth/signup", new { email, password = "a long password" }), HttpStatusCode.Created);
        var userToken = (string)signup["userToken"]!;
        var user = await Api.LoginAsync(email, "a long password");
        var anchor = await Api.SignInAnchorAsync(user.Token);
        var anchorAccess = (string)anchor["anchorAccessToken"]!;
        var room = Guid.NewGuid().ToString("N");
        await Host.Grains.GetGrain<ISessionRoomGrain>(room).Create("admin", null, "disable", "admin", null);
        var bystander = await Api.RegisterAsync(AccountsApi.NewName("bystander"));

        await using var client = await OrbitSocket.ConnectAsync(Host.BaseAddress, $"/ws/client?token={Uri.EscapeDataString(user.Token)}&clientId=tab");
        await client.NextOfTypeAsync("orbit.hello");
        await using var anchorSocket = await OrbitSocket.ConnectAsync(Host.BaseAddress, $"/ws/anchor?token={Uri.EscapeDataString(anchorAccess)}");
        await anchorSocket.NextOfTypeAsync("orbit.hello");
        await using var roomSocket = await JoinAsync(user.Token, room, "viewer");
        await using var bystanderSocket = await JoinAsync(bystander.Token, room, "viewer");

        var disabled = await Admin.DisableAsync(user.UserId);
        Assert.True((bool)disabled["disabled"]!);

        // The relay's periodic check is an hour away here: the account's own notice closes the sockets.
        foreach (var socket in new[] { client, anchorSocket, roomSocket })
        {
            await socket.ClosedAsync();
            Assert.Equal(4401, (int?)socket.CloseStatus);
        }

        Assert.Equal(System.Net.WebSockets.WebSocketState.Open, bystanderSocket.State);
        Assert.False(await Api.IsSignedInAsync(user.Token));
        Assert.Equal(HttpStatusCode.Unauthorized, await Api.PreflightAsync("/ws/anchor", anchorAccess));
        await AccountsApi.ExpectErrorAsync(await Api.RefreshAsync(user.RefreshToken), HttpStatusCode.Unauthorized, "Invalid or expired refresh token.");
        await AccountsApi.ExpectErrorAsync(
            await Api.PostJsonAsync("/auth/device/refresh", new { refreshToken = (string)anchor["anchorRefreshToken"]! }), HttpStatusCode.Unauthorized,
            "Invalid or expired refresh token.");
        await AccountsApi.ExpectErrorAsync(
            await Api.PostJsonAsync("/auth/login/basic", new { username = user.Name, password = "a long password" }), HttpStatusCode.BadRequest, "Invalid credentials.");
        Assert.False(await Api.IsSignedInAsync(userToken));
        Assert.True(await Api.IsSignedInAsync(bystander.Token));

        // Enabled again, the account signs in anew; what it held before stays ended.
        Clock.Advance(TimeSpan.FromSeconds(2));
        await Admin.EnableAsync(user.UserId);
        Assert.False(await Api.IsSignedInAsync(user.Token));
        await AccountsApi.ExpectErrorAsync(await Api.RefreshAsync(user.RefreshToken), HttpStatusCode.Unauthorized, "Invalid or expired refresh token.");
        Assert.True(await Api.IsSignedInAsync((await Api.LoginAsync(user.Name, "a long password")).Token));
    }

    [Fact]
    public async Task Bad_admin_requests_get_a_clear_4xx_and_change_nothing()
    {
        var user = await Api.RegisterAsync(AccountsApi.NewName("target"));
        await AccountsApi.ExpectJsonAsync(await Admin.SendAsync(HttpMethod.Put, $"/api/admin/users/{user.UserId}/roles", new { roles = new[] { "root" } }), HttpStatusCode.BadRequest);
        await AccountsApi.ExpectJsonAsync(await Admin.SendAsync(HttpMethod.Put, $"/api/admin/users/{user.UserId}/roles", new { roles = "admin" }), HttpStatusCode.BadRequest);
        await AccountsApi.ExpectJsonAsync(await Admin.SendAsync(HttpMethod.Put, $"/api/admin/users/{user.UserId}/roles", new { roles = new object[] { 1 } }), HttpStatusCode.BadRequest);
        await AccountsApi.ExpectJsonAsync(await Admin.SendAsync(HttpMethod.Put, $"/api/admin/users/{Guid.NewGuid():N}/roles", new { roles = new[] { "admin" } }), HttpStatusCode.NotFound);
        await AccountsApi.ExpectJsonAsync(await Admin.SendAsync(HttpMethod.Put, "/api/admin/users/not-an-id/roles", new { roles = new[] { "admin" } }), HttpStatusCode.NotFound);
        await AccountsApi.ExpectJsonAsync(await Admin.SendAsync(HttpMethod.Post, "/api/admin/users", new { name = "", password = "long enough" }), HttpStatusCode.BadRequest);
        await AccountsApi.ExpectJsonAsync(await Admin.SendAsync(HttpMethod.Post, "/api/admin/users", new { name = user.Name.ToUpperInvariant() }), HttpStatusCode.Conflict);
        await AccountsApi.ExpectJsonAsync(await Admin.SendAsync(HttpMethod.Get, "/api/admin/users?limit=0"), HttpStatusCode.BadRequest);
        await AccountsApi.ExpectJsonAsync(await Admin.SendAsync(HttpMethod.Post, $"/api/admin/users/{Guid.NewGuid():N}/disable"), HttpStatusCode.NotFound);

        var unchanged = await AccountsApi.ExpectJsonAsync(await Admin.SendAsync(HttpMethod.Get, $"/api/admin/users/{user.UserId}"), HttpStatusCode.OK);
        Assert.Equal(["member"], unchanged["roles"]!.AsArray().Select(r => (string)r!));
        Assert.False((bool)unchanged["disabled"]!);
    }

    [Fact]
    public async Task A_null_among_the_roles_is_a_400_and_changes_nothing()
    {
        var user = await Api.RegisterAsync(AccountsApi.NewName("nulls"));
        await Admin.SetRolesAsync(user.UserId, "operator");
        foreach (var roles in new[] { new string?[] { null }, ["operator", null], [null, "admin"] })
        {
            var refused = await AccountsApi.ExpectJsonAsync(
                await Admin.SendAsync(HttpMethod.Put, $"/api/admin/users/{user.UserId}/roles", new { roles }), HttpStatusCode.BadRequest);
            Assert.StartsWith("roles must be", (string?)refused["detail"]);
        }

        var name = AccountsApi.NewName("made-null");
        var create = await AccountsApi.ExpectJsonAsync(
            await Admin.SendAsync(HttpMethod.Post, "/api/admin/users", new { name, roles = new string?[] { null } }), HttpStatusCode.BadRequest);
        Assert.StartsWith("roles must be", (string?)create["detail"]);

        var unchanged = await AccountsApi.ExpectJsonAsync(await Admin.SendAsync(HttpMethod.Get, $"/api/admin/users/{user.UserId}"), HttpStatusCode.OK);
        Assert.Equal(["member", "operator"], unchanged["roles"]!.AsArray().Select(r => (string)r!));
        // The refused creation left the name free.
        await AccountsApi.ExpectJsonAsync(await Admin.SendAsync(HttpMethod.Post, "/api/admin/users", new { name }), HttpStatusCode.Created);
    }

    [Fact]
    public async Task Admins_list_and_search_accounts_page_by_page_and_create_them()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var created = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            created.Add((await Api.RegisterAsync($"list-{tag}-{i}")).UserId);
        }

        var first = await AccountsApi.ExpectJsonAsync(await Admin.SendAsync(HttpMethod.Get, $"/api/admin/users?search=LIST-{tag}&limit=3"), HttpStatusCode.OK);
        Assert.Equal(created.Take(3), first["users"]!.AsArray().Select(u => (string)u!["id"]!));
        var second = await AccountsApi.ExpectJsonAsync(
            await Admin.SendAsync(HttpMethod.Get, $"/api/admin/users?search=list-{tag}&limit=3&after={(long)first["nextAfter"]!}"), HttpStatusCode.OK);
        Assert.Equal(created.Skip(3), second["users"]!.AsArray().Select(u => (string)u!["id"]!));
        Assert.Null(second["nextAfter"]);

        var made = await AccountsApi.ExpectJsonAsync(
            await Admin.SendAsync(HttpMethod.Post, "/api/admin/users", new { name = $"made-{tag}", password = "made by an admin", roles = new[] { "operator" } }),
            HttpStatusCode.Created);
        Assert.Equal(["member", "operator"], made["roles"]!.AsArray().Select(r => (string)r!));
        Assert.True((bool)made["hasPassword"]!);
        Assert.DoesNotContain("passwordHash", made.ToJsonString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.OK, await JobsAsync((await Api.LoginAsync($"made-{tag}", "made by an admin")).Token));
    }

    private async Task<OrbitSocket> JoinAsync(string token, string room, string expectedRole)
    {
        var socket = await OrbitSocket.ConnectAsync(Host.BaseAddress, $"/ws?token={Uri.EscapeDataString(token)}&session_id={room}");
        Assert.Equal(expectedRole, (string?)(await socket.NextOfTypeAsync("joined"))["role"]);
        return socket;
    }

    /// <summary>The roles `GET /auth/session` gives the token's account (the Orbit contract's user, roles added).</summary>
    private async Task<string[]> SessionRolesAsync(string token) =>
        (await Api.SessionStatusAsync(token))["user"]!["roles"]!.AsArray().Select(r => (string)r!).ToArray();

    private async Task<HttpStatusCode> JobsAsync(string bearer)
    {
        using var response = await Api.SendAsync(HttpMethod.Get, "/api/v1/jobs", null, bearer);
        return response.StatusCode;
    }
}
