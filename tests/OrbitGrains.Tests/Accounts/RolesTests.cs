using System.Net;
using System.Net.Http.Headers;

namespace OrbitGrains.Tests.Accounts;

public sealed class RolesHost : AccountsHost
{
    public const string NamedAdmin = "named-admin";

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["ADMIN_USERS"] = $"someone-else, {NamedAdmin}",
    };
}

/// <summary>One test only: "first user of a fresh system" needs the host to itself.</summary>
public sealed class RolesTests(RolesHost host) : AccountsHostTest<RolesHost>(host)
{
    [Fact]
    public async Task The_first_user_and_listed_names_are_admins_everyone_else_is_not()
    {
        Assert.False((bool)(await Api.SessionStatusAsync(null))["systemHasUsers"]!);

        var first = await Api.RegisterAsync(AccountsApi.NewName("first"));
        var second = await Api.RegisterAsync(AccountsApi.NewName("second"));
        var named = await Api.RegisterAsync(RolesHost.NamedAdmin);
        Assert.True((bool)(await Api.SessionStatusAsync(null))["systemHasUsers"]!);

        Assert.Equal(HttpStatusCode.OK, await DashboardAsync(first.Token));
        Assert.Equal(HttpStatusCode.Forbidden, await DashboardAsync(second.Token));
        Assert.Equal(HttpStatusCode.OK, await DashboardAsync(named.Token));
        Assert.Equal(HttpStatusCode.Unauthorized, await DashboardAsync("not-a-token"));

        // A signed-out admin is nobody.
        await Api.LogoutAsync(first.Token);
        Assert.Equal(HttpStatusCode.Unauthorized, await DashboardAsync(first.Token));
    }

    private async Task<HttpStatusCode> DashboardAsync(string bearer)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/dashboard/");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        using var response = await Api.Http.SendAsync(request);
        return response.StatusCode;
    }
}
