using System.Net;

namespace OrbitGrains.Tests.Accounts;

public sealed class AccountsRestartTests : IDisposable
{
    private readonly TempDirectory _data = new("orbit-accounts-restart");

    [Fact]
    public async Task Accounts_and_tokens_survive_a_restart_of_the_embedded_host()
    {
        var serviceId = $"restart-{Guid.NewGuid():N}";
        var name = AccountsApi.NewName();
        const string password = "survives restarts";
        Session session;
        string anchorRefresh;

        await using (var before = await RunningHost.StartFrontEndAsync(RunningHost.IsolatedConfiguration(_data.Path, serviceId)))
        {
            var api = new AccountsApi(before.Http);
            session = await api.RegisterAsync(name, password);
            anchorRefresh = (string)(await api.SignInAnchorAsync(session.Token))["anchorRefreshToken"]!;
        }

        // Fresh ports, same data folder and service id.
        await using var after = await RunningHost.StartFrontEndAsync(RunningHost.IsolatedConfiguration(_data.Path, serviceId));
        var again = new AccountsApi(after.Http);

        Assert.True(await again.IsSignedInAsync(session.Token));
        Assert.Equal(session.UserId, (await again.LoginAsync(name, password)).UserId);
        await AccountsApi.ExpectErrorAsync(await again.PostJsonAsync("/auth/register/basic", new { name }), HttpStatusCode.BadRequest, "User already exists.");
        var refreshed = await AccountsApi.ExpectJsonAsync(await again.RefreshAsync(session.RefreshToken), HttpStatusCode.OK);
        Assert.Equal(session.UserId, (string?)refreshed["user"]!["id"]);
        var anchor = await AccountsApi.ExpectJsonAsync(
            await again.PostJsonAsync("/auth/device/refresh", new { refreshToken = anchorRefresh }), HttpStatusCode.OK);
        Assert.Equal(session.UserId, (string?)anchor["userId"]);
    }

    public void Dispose() => _data.Dispose();
}
