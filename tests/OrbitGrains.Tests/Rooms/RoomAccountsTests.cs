using System.Net.Http.Json;
using OrbitGrains.Tests.Accounts;

namespace OrbitGrains.Tests.Rooms;

/// <summary>
/// Signed-in people join rooms with their own tokens; their account role is their room role, except that an operator
/// drives only the rooms they own.
/// </summary>
public sealed class RoomAccountsTests : IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    private RunningHost _host = null!;

    private const string AdminToken = "rooms-accounts-admin-token-0123456789abcdef";

    public async Task InitializeAsync()
    {
        var configuration = RunningHost.IsolatedConfiguration(_data.Path, "rooms-accounts");
        configuration["ADMIN_TOKEN"] = AdminToken;
        _host = await RunningHost.StartFrontEndAsync(configuration);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task A_member_joins_as_viewer_and_granted_roles_join_as_admin_or_as_operator_of_their_own_rooms_and_a_user_token_works_too()
    {
        var api = new AccountsApi(_host.Http);
        var admin = new OrbitGrains.Tests.Accounts.AdminApi(_host.Http, AdminToken);
        var first = await api.RegisterAsync(AccountsApi.NewName("first"));
        var second = await api.RegisterAsync(AccountsApi.NewName("second"));
        Assert.Equal("viewer", await JoinedRoleAsync(first.Token));

        await admin.SetRolesAsync(first.UserId, "admin");
        await admin.SetRolesAsync(second.UserId, "operator");
        Assert.Equal("admin", await JoinedRoleAsync(first.Token));
        Assert.Equal("viewer", await JoinedRoleAsync(second.Token));
        var owned = await RoomsHostFixture.SessionAsync(_host, second.Token);
        Assert.Equal("operator", await JoinedRoleAsync(second.Token, owned));

        var email = $"{Guid.NewGuid():N}"[..10] + "@example.com";
        var signup = await api.PostJsonAsync("/v1/auth/signup", new { email, password = "room password" });
        var userToken = (string)(await signup.Content.ReadFromJsonAsync<System.Text.Json.Nodes.JsonObject>())!["userToken"]!;
        Assert.Equal("viewer", await JoinedRoleAsync(userToken));

        await api.LogoutAsync(second.Token);
        await using var refused = await OrbitSocket.ConnectAsync(_host.BaseAddress, $"/ws?token={Uri.EscapeDataString(second.Token)}");
        await refused.ClosedAsync();
        Assert.Equal(4401, (int?)refused.CloseStatus);
    }

    /// <summary>
    /// The role a person's token joins a session room with (the legacy global room announces nothing): by default one
    /// the admin token created, which no person owns.
    /// </summary>
    private async Task<string?> JoinedRoleAsync(string token, string? session = null)
    {
        session ??= _session ??= await RoomsHostFixture.SessionAsync(_host, AdminToken);
        await using var socket = await OrbitSocket.ConnectAsync(_host.BaseAddress, $"/ws?token={Uri.EscapeDataString(token)}&session_id={session}");
        return (string?)(await socket.NextOfTypeAsync("joined"))["role"];
    }

    private string? _session;
}
