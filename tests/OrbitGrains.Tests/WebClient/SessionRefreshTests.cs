using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace OrbitGrains.Tests.WebClient;

/// <summary>Access tokens that live 62 s: the client refreshes 60 s before `exp`, so about every 2 s.</summary>
public sealed class ShortSessionHost : WebClientHost
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["ACCESS_TTL_SEC"] = "62" };
}

/// <summary>Silent refresh-token rotation in the browser, with two tabs of one person sharing the session.</summary>
public sealed class SessionRefreshTests(ShortSessionHost host) : WebClientTest<ShortSessionHost>(host)
{
    private const string StoredToken = "() => JSON.parse(localStorage.getItem('orbitgrains.session') ?? 'null')?.token ?? null";

    [Fact]
    public async Task Two_tabs_rotate_one_refresh_chain_without_spending_a_token_twice()
    {
        var person = await Product.NewPersonAsync("tabs");
        var first = await Product.SignedInPageAsync(person, "/account");
        // A second tab of the same browser profile: the same storage, the same Web Locks.
        var second = await first.Context.NewPageAsync();
        await second.GotoAsync("/account");
        await Expect(Heading(first, "Your account")).ToBeVisibleAsync();
        await Expect(Heading(second, "Your account")).ToBeVisibleAsync();

        // Both tabs' timers come due at the same moment for every token; five rotations in a row each had that race.
        var seen = new HashSet<string>();
        await Eventually.TrueAsync(async () =>
        {
            var token = await first.EvaluateAsync<string?>(StoredToken);
            Assert.True(token is not null, "signed out: the chain was revoked because a refresh token was spent twice");
            seen.Add(token);
            return seen.Count >= 6;
        }, "the session was refreshed five times", TimeSpan.FromSeconds(90));

        // A chain revoked by a token spent twice signs both tabs out at their next refresh; a live one keeps
        // answering. The stored token can rotate between reading and asking, so ask again until one read is current.
        await Eventually.TrueAsync(async () =>
        {
            var current = await first.EvaluateAsync<string?>(StoredToken);
            Assert.True(current is not null, "signed out: the chain was revoked because a refresh token was spent twice");
            return current == await second.EvaluateAsync<string?>(StoredToken) && (bool)(await Product.SessionStatusAsync(current!))["authenticated"]!;
        }, "the tabs' stored session is live", TimeSpan.FromSeconds(20));
        await Expect(Heading(first, "Your account")).ToBeVisibleAsync();
        await Expect(Heading(second, "Your account")).ToBeVisibleAsync();
    }
}
