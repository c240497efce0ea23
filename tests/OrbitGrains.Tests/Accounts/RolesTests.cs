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

        // Several sign-ups race on the fresh system: exactly one of them is first.
        var early = await Task.WhenAll(Enumerable.Range(0, 5).Select(i => Api.RegisterAsync(AccountsApi.NewName($"early{i}"))));
        var verdicts = await Task.WhenAll(early.Select(session => DashboardAsync(session.Token)));
        Assert.Single(verdicts, HttpStatusCode.OK);
        Assert.Equal(4, verdicts.Count(verdict => verdict == HttpStatusCode.Forbidden));
        var first = early[Array.IndexOf(verdicts, HttpStatusCode.OK)];

        var later = await Api.RegisterAsync(AccountsApi.NewName("later"));
        var named = await Api.RegisterAsync(RolesHost.NamedAdmin);
        Assert.True((bool)(await Api.SessionStatusAsync(null))["systemHasUsers"]!);
        Assert.Equal(HttpStatusCode.Forbidden, await DashboardAsync(later.Token));
        Assert.Equal(HttpStatusCode.OK, await DashboardAsync(named.Token));
        // The admin role holds for a new session of the same user too.
        Assert.Equal(HttpStatusCode.OK, await DashboardAsync((await Api.LoginAsync(first.Name)).Token));
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
