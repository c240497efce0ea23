using System.Net;
using System.Text.Json.Nodes;
using OrbitGrains.Accounts;

namespace OrbitGrains.Tests.Accounts;

/// <summary>Every anchor token pair grown from one device-code sign-in is one family: a reused refresh token ends it.</summary>
public sealed class AnchorTokenFamilyTests(DeviceFlowHost host) : AccountsHostTest<DeviceFlowHost>(host)
{
    private const string RefreshRefused = "Invalid or expired refresh token.";

    [Fact]
    public async Task A_reused_anchor_refresh_token_revokes_the_whole_chain()
    {
        var user = await Api.RegisterAsync(AccountsApi.NewName());
        var first = Pair.From(await Api.SignInAnchorAsync(user.Token));
        var second = await RefreshAsync(first.Refresh);
        var newest = await RefreshAsync(second.Refresh);
        Assert.Equal(HttpStatusCode.UpgradeRequired, await Api.PreflightAsync("/ws/anchor", newest.Access));

        await AccountsApi.ExpectErrorAsync(await PostRefreshAsync(first.Refresh), HttpStatusCode.Unauthorized, RefreshRefused);

        Assert.Equal(HttpStatusCode.Unauthorized, await Api.PreflightAsync("/ws/anchor", newest.Access));
        await AccountsApi.ExpectErrorAsync(await PostRefreshAsync(newest.Refresh), HttpStatusCode.Unauthorized, RefreshRefused);
        // Presenting the newest token (now spent) again changes nothing.
        await AccountsApi.ExpectErrorAsync(await PostRefreshAsync(newest.Refresh), HttpStatusCode.Unauthorized, RefreshRefused);
    }

    [Fact]
    public async Task Revoking_one_chain_leaves_the_users_other_chains_and_other_users_working()
    {
        var alice = await Api.RegisterAsync(AccountsApi.NewName("alice"));
        var bob = await Api.RegisterAsync(AccountsApi.NewName("bob"));
        var laptop = Pair.From(await Api.SignInAnchorAsync(alice.Token));
        var desktop = Pair.From(await Api.SignInAnchorAsync(alice.Token));
        var bobs = Pair.From(await Api.SignInAnchorAsync(bob.Token));
        var laptopNewest = await RefreshAsync(laptop.Refresh);
        // Past the grace window in which a second use of the same token is taken for a duplicate, not a theft.
        Clock.Advance(FamilyRotation.GraceWindow + TimeSpan.FromSeconds(1));

        await AccountsApi.ExpectErrorAsync(await PostRefreshAsync(laptop.Refresh), HttpStatusCode.Unauthorized, RefreshRefused);
        Assert.Equal(HttpStatusCode.Unauthorized, await Api.PreflightAsync("/ws/anchor", laptopNewest.Access));
        await AccountsApi.ExpectErrorAsync(await PostRefreshAsync(laptopNewest.Refresh), HttpStatusCode.Unauthorized, RefreshRefused);

        // Alice's other sign-in, her web session and Bob's anchor are untouched.
        Assert.Equal(HttpStatusCode.UpgradeRequired, await Api.PreflightAsync("/ws/anchor", desktop.Access));
        Assert.True(await Api.IsSignedInAsync(alice.Token));
        Assert.Equal(HttpStatusCode.UpgradeRequired, await Api.PreflightAsync("/ws/anchor", bobs.Access));
        var desktopNext = await RefreshAsync(desktop.Refresh);
        Assert.Equal(HttpStatusCode.UpgradeRequired, await Api.PreflightAsync("/ws/anchor", desktopNext.Access));
        var bobsNext = await RefreshAsync(bobs.Refresh);
        Assert.Equal(HttpStatusCode.UpgradeRequired, await Api.PreflightAsync("/ws/anchor", bobsNext.Access));
    }

    [Fact]
    public async Task A_pair_issued_into_a_family_revoked_meanwhile_is_revoked_with_it()
    {
        // The race the family guards against: a refresh that passed its checks just before a reuse revoked the family.
        var familyId = Guid.NewGuid().ToString("N");
        var family = Host.Grains.GetGrain<ITokenFamilyGrain>(familyId);
        var expires = Clock.GetUtcNow().AddMinutes(5);
        var (firstAccess, _) = await IssueAsync(familyId, expires);
        Assert.True(await family.Start(new FamilyStart("user", "refresh-1", Issued(firstAccess, expires), expires, TokenFamilyKind.Anchor)));
        await family.RevokeAll();
        Assert.Null(await Host.Grains.GetGrain<IAnchorTokenGrain>(firstAccess).ValidateAccess());

        var (lateAccess, lateRefresh) = await IssueAsync(familyId, expires);
        Assert.False(await family.Start(new FamilyStart("user", "refresh-2", Issued(lateAccess, expires), expires, TokenFamilyKind.Anchor)));

        Assert.Null(await Host.Grains.GetGrain<IAnchorTokenGrain>(lateAccess).ValidateAccess());
        Assert.Null(await Host.Grains.GetGrain<IAnchorTokenGrain>(lateRefresh).Redeem());
    }

    private static FamilyMember[] Issued(string accessHash, DateTimeOffset expires) => [new(FamilyMemberKind.AnchorToken, accessHash, expires)];

    private async Task<(string AccessHash, string RefreshHash)> IssueAsync(string familyId, DateTimeOffset expires)
    {
        var accessHash = TokenHash.Of(TokenHash.NewToken(48));
        var refreshHash = TokenHash.Of(TokenHash.NewToken(48));
        await Host.Grains.GetGrain<IAnchorTokenGrain>(accessHash)
            .Issue(new AnchorTokenIssue(AnchorTokenKind.Access, "user", expires, PeerHash: null, familyId));
        await Host.Grains.GetGrain<IAnchorTokenGrain>(refreshHash)
            .Issue(new AnchorTokenIssue(AnchorTokenKind.Refresh, "user", expires, accessHash, familyId));
        Assert.Equal("user", (await Host.Grains.GetGrain<IAnchorTokenGrain>(accessHash).ValidateAccess())?.UserId);
        return (accessHash, refreshHash);
    }

    private Task<HttpResponseMessage> PostRefreshAsync(string refreshToken) =>
        Api.PostJsonAsync("/auth/device/refresh", new { refreshToken });

    private async Task<Pair> RefreshAsync(string refreshToken) =>
        Pair.From(await AccountsApi.ExpectJsonAsync(await PostRefreshAsync(refreshToken), HttpStatusCode.OK));

    private sealed record Pair(string Access, string Refresh)
    {
        public static Pair From(JsonObject body) =>
            new((string)body["anchorAccessToken"]!, (string)body["anchorRefreshToken"]!);
    }
}
