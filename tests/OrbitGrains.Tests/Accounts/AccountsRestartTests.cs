using System.Net;
using System.Text.Json.Nodes;

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

    [Fact]
    public async Task Anchor_token_families_keep_their_spent_tokens_and_revocations_across_a_restart()
    {
        var serviceId = $"restart-{Guid.NewGuid():N}";
        string revokedNewestRefresh, spentRefresh, liveAccess, liveRefresh;
        // One clock across both hosts, moved past the grace window in which a reused refresh token counts as a duplicate.
        var clock = new TestClock();
        void UseClock(Microsoft.AspNetCore.Builder.WebApplicationBuilder builder) =>
            Microsoft.Extensions.DependencyInjection.ServiceCollectionServiceExtensions.AddSingleton<TimeProvider>(builder.Services, clock);

        await using (var before = await RunningHost.StartFrontEndAsync(RunningHost.IsolatedConfiguration(_data.Path, serviceId), configure: UseClock))
        {
            var api = new AccountsApi(before.Http);
            var session = await api.RegisterAsync(AccountsApi.NewName());

            // One chain revoked before the restart: its newest refresh token must stay refused after it.
            var revoked = await api.SignInAnchorAsync(session.Token);
            var revokedNext = await AnchorRefreshAsync(api, (string)revoked["anchorRefreshToken"]!, HttpStatusCode.OK);
            clock.Advance(OrbitGrains.Accounts.FamilyRotation.GraceWindow + TimeSpan.FromSeconds(1));
            await AnchorRefreshAsync(api, (string)revoked["anchorRefreshToken"]!, HttpStatusCode.Unauthorized);
            revokedNewestRefresh = (string)revokedNext["anchorRefreshToken"]!;

            // Another spent once before the restart: its reuse after it must still be recognised.
            var chain = await api.SignInAnchorAsync(session.Token);
            spentRefresh = (string)chain["anchorRefreshToken"]!;
            var next = await AnchorRefreshAsync(api, spentRefresh, HttpStatusCode.OK);
            liveAccess = (string)next["anchorAccessToken"]!;
            liveRefresh = (string)next["anchorRefreshToken"]!;
        }

        clock.Advance(OrbitGrains.Accounts.FamilyRotation.GraceWindow + TimeSpan.FromSeconds(1));
        await using var after = await RunningHost.StartFrontEndAsync(RunningHost.IsolatedConfiguration(_data.Path, serviceId), configure: UseClock);
        var again = new AccountsApi(after.Http);

        await AnchorRefreshAsync(again, revokedNewestRefresh, HttpStatusCode.Unauthorized);
        Assert.Equal(HttpStatusCode.UpgradeRequired, await again.PreflightAsync("/ws/anchor", liveAccess));
        await AnchorRefreshAsync(again, spentRefresh, HttpStatusCode.Unauthorized);
        Assert.Equal(HttpStatusCode.Unauthorized, await again.PreflightAsync("/ws/anchor", liveAccess));
        await AnchorRefreshAsync(again, liveRefresh, HttpStatusCode.Unauthorized);
    }

    private static async Task<JsonObject> AnchorRefreshAsync(AccountsApi api, string refreshToken, HttpStatusCode status)
    {
        var body = await AccountsApi.ExpectJsonAsync(await api.PostJsonAsync("/auth/device/refresh", new { refreshToken }), status);
        if (status == HttpStatusCode.Unauthorized)
        {
            Assert.Equal("Invalid or expired refresh token.", (string?)body["error"]);
        }

        return body;
    }

    public void Dispose() => _data.Dispose();
}
