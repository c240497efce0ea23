using System.Net;
using Microsoft.Extensions.DependencyInjection;
using OrbitGrains.Accounts;
using OrbitGrains.Hosting;
using OrbitGrains.WebFrontend.Accounts;
using Orleans.Storage;

namespace OrbitGrains.Tests.Accounts;

/// <summary>
/// A refresh token is spent only by the refresh routes of its own kind: a web session's at `/auth/refresh` and
/// `/api/auth/refresh`, an Anchor's at `/auth/device/refresh`. Another route refuses it with its usual 401 and leaves
/// it as it was, so its own route still takes it.
/// </summary>
public sealed class RefreshKindTests(AccountsHost host) : AccountsHostTest<AccountsHost>(host)
{
    private const string OrbitRefusal = "Invalid or expired refresh token.";
    private const string CloudRefusal = "Invalid or expired refresh token";

    [Fact]
    public async Task A_web_refresh_token_is_refused_by_the_anchor_route_and_still_refreshes_at_auth_refresh()
    {
        var session = await Api.RegisterAsync(AccountsApi.NewName("web"));

        await AccountsApi.ExpectErrorAsync(await DeviceRefreshAsync(session.RefreshToken), HttpStatusCode.Unauthorized, OrbitRefusal);

        Assert.True(await Api.IsSignedInAsync(session.Token));
        var next = await AccountsApi.ExpectJsonAsync(await Api.RefreshAsync(session.RefreshToken), HttpStatusCode.OK);
        Assert.True(await Api.IsSignedInAsync((string)next["token"]!));
    }

    [Fact]
    public async Task A_web_refresh_token_is_refused_by_the_anchor_route_and_still_refreshes_at_api_auth_refresh()
    {
        var session = await Api.RegisterAsync(AccountsApi.NewName("cloud"));

        await AccountsApi.ExpectErrorAsync(await DeviceRefreshAsync(session.RefreshToken), HttpStatusCode.Unauthorized, OrbitRefusal);

        // Within the grace window of the refused attempt: it spent nothing, so this is a first use, not a duplicate.
        var next = await AccountsApi.ExpectJsonAsync(await CloudRefreshAsync(session.RefreshToken), HttpStatusCode.OK);
        var access = (string?)next["access_token"];
        Assert.False(string.IsNullOrEmpty(access));
        Assert.True(await Api.IsSignedInAsync(access));
    }

    [Fact]
    public async Task An_anchor_refresh_token_is_refused_by_the_web_routes_and_still_refreshes_at_the_anchor_route()
    {
        var person = await Api.RegisterAsync(AccountsApi.NewName("anchor"));
        var anchor = await Api.SignInAnchorAsync(person.Token);
        var refresh = (string)anchor["anchorRefreshToken"]!;

        await AccountsApi.ExpectErrorAsync(await Api.RefreshAsync(refresh), HttpStatusCode.Unauthorized, OrbitRefusal);
        var cloud = await AccountsApi.ExpectJsonAsync(await CloudRefreshAsync(refresh), HttpStatusCode.Unauthorized);
        Assert.Equal(CloudRefusal, (string?)cloud["detail"]);

        Assert.Equal(HttpStatusCode.UpgradeRequired, await Api.PreflightAsync("/ws/anchor", (string)anchor["anchorAccessToken"]!));
        var next = await AccountsApi.ExpectJsonAsync(await DeviceRefreshAsync(refresh), HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.UpgradeRequired, await Api.PreflightAsync("/ws/anchor", (string)next["anchorAccessToken"]!));
    }

    [Theory]
    [InlineData(FamilyMemberKind.Session)]
    [InlineData(FamilyMemberKind.AnchorToken)]
    public async Task A_family_stored_without_a_kind_is_of_the_kind_of_its_members(FamilyMemberKind memberKind)
    {
        // A row written before families stored their kind: only its members say what it is.
        var person = await Api.RegisterAsync(AccountsApi.NewName("stored"));
        var familyId = Guid.NewGuid().ToString("N");
        var refresh = RefreshTokenFormat.Create(familyId, person.UserId, 1);
        var expires = Clock.GetUtcNow().AddMinutes(10);
        var storage = Host.Services.GetRequiredKeyedService<IGrainStorage>(OrbitStorageNames.GrainState);
        var member = new FamilyMember(memberKind, Guid.NewGuid().ToString("N"), expires);
        var row = new TokenFamilyGrain.State
        {
            UserId = person.UserId,
            CreatedAt = Clock.GetUtcNow(),
            ExpiresAt = expires,
            Generation = 1,
            RefreshHash = TokenHash.Of(refresh),
            Members = [member],
            CurrentMembers = [member],
        };
        await storage.WriteStateAsync("token-family", Host.Grains.GetGrain<ITokenFamilyGrain>(familyId).GetGrainId(), new GrainState<TokenFamilyGrain.State>(row));

        var web = memberKind == FamilyMemberKind.Session;
        using var wrong = web ? await DeviceRefreshAsync(refresh) : await Api.RefreshAsync(refresh);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        var right = await AccountsApi.ExpectJsonAsync(web ? await Api.RefreshAsync(refresh) : await DeviceRefreshAsync(refresh), HttpStatusCode.OK);
        Assert.NotNull((string?)right[web ? "token" : "anchorAccessToken"]);
    }

    private Task<HttpResponseMessage> DeviceRefreshAsync(string refreshToken) =>
        Api.PostJsonAsync("/auth/device/refresh", new { refreshToken });

    private Task<HttpResponseMessage> CloudRefreshAsync(string refreshToken) =>
        Api.PostJsonAsync("/api/auth/refresh", new { refresh_token = refreshToken });
}
