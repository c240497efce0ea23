using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace OrbitGrains.Tests.WebClient;

/// <summary>"My sessions" on the account page: browsers signed in as one person sign each other out.</summary>
public sealed class MySessionsPageTests(WebClientHost host) : WebClientTest<WebClientHost>(host)
{
    /// <summary>A signed-out page finds out through a refused request and a refused refresh; a loaded machine is slow at both.</summary>
    private static readonly LocatorAssertionsToBeVisibleOptions SignedOutWait = new() { Timeout = 30_000 };

    [Fact]
    public async Task A_person_signs_out_another_browser_and_then_all_the_others_and_their_next_refresh_is_refused()
    {
        var person = await Product.NewPersonAsync("sessions");
        var mine = await Product.SignedInPageAsync(person, "/account");
        var second = await Product.SignedInPageAsync(person, "/account");
        var third = await Product.SignedInPageAsync(person, "/account");
        var sessions = mine.GetByRole(AriaRole.Region, new() { Name = "Sessions" });
        await Expect(sessions.GetByRole(AriaRole.Listitem, new() { Name = "This browser" })).ToBeVisibleAsync();
        await Expect(second.GetByRole(AriaRole.Region, new() { Name = "Sessions" }).GetByRole(AriaRole.Listitem, new() { Name = "This browser" })).ToBeVisibleAsync();
        await Expect(third.GetByRole(AriaRole.Region, new() { Name = "Sessions" }).GetByRole(AriaRole.Listitem, new() { Name = "This browser" })).ToBeVisibleAsync();
        var (secondSession, secondRefresh) = await StoredAsync(second);
        var (_, thirdRefresh) = await StoredAsync(third);

        // One other browser, by its own entry.
        await mine.ReloadAsync();
        var (secondId, count) = await CurrentIdAsync(secondSession);
        Assert.True(count >= 4, $"{count} sessions: the sign-up's and three browsers' at least");
        await Expect(sessions.GetByRole(AriaRole.Listitem)).ToHaveCountAsync(count);
        await PageChecks.CheckAsync(mine, "accounts-sessions");
        await sessions.GetByRole(AriaRole.Button, new() { Name = $"Sign out session {secondId}" }).ClickAsync();
        await Expect(sessions.GetByRole(AriaRole.Status)).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^Signed out .+\\.$"));
        await Expect(sessions.GetByRole(AriaRole.Listitem)).ToHaveCountAsync(count - 1);
        Assert.Equal(HttpStatusCode.Unauthorized, (await RefreshAsync(secondRefresh)).StatusCode);
        await second.ReloadAsync();
        await Expect(Heading(second, "Sign in")).ToBeVisibleAsync(SignedOutWait);
        Assert.Null(await second.EvaluateAsync<string?>("localStorage.getItem('orbitgrains.session')"));

        // Then every other one at once: the third browser and the sign-up's own sessions.
        await sessions.GetByRole(AriaRole.Button, new() { Name = "Sign out all other sessions" }).ClickAsync();
        await Expect(sessions.GetByRole(AriaRole.Status)).ToHaveTextAsync($"Signed out {count - 2} other sessions.");
        await Expect(sessions.GetByRole(AriaRole.Listitem)).ToHaveCountAsync(1);
        await Expect(sessions.GetByRole(AriaRole.Button, new() { Name = "Sign out all other sessions" })).ToBeDisabledAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, (await RefreshAsync(thirdRefresh)).StatusCode);
        Assert.False((bool)(await Product.SessionStatusAsync(person.Token))["authenticated"]!);
        await third.GotoAsync("/account");
        await Expect(Heading(third, "Sign in")).ToBeVisibleAsync(SignedOutWait);

        // This browser stays signed in, across a reload.
        await mine.ReloadAsync();
        await Expect(Heading(mine, "Your account")).ToBeVisibleAsync();
        await Expect(sessions.GetByRole(AriaRole.Listitem, new() { Name = "This browser" })).ToBeVisibleAsync();
    }

    private static async Task<(string Token, string RefreshToken)> StoredAsync(IPage page)
    {
        var stored = JsonNode.Parse((await page.EvaluateAsync<string?>("localStorage.getItem('orbitgrains.session')"))!)!;
        return ((string)stored["token"]!, (string)stored["refreshToken"]!);
    }

    /// <summary>The id of the token's own sign-in, and how many sign-ins its person has.</summary>
    private async Task<(string Id, int Count)> CurrentIdAsync(string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/auth/sessions");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await Product.Http.SendAsync(request);
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        var all = body["sessions"]!.AsArray();
        return ((string)all.Single(s => (bool)s!["current"]!)!["id"]!, all.Count);
    }

    private Task<HttpResponseMessage> RefreshAsync(string refreshToken) =>
        Product.Http.PostAsJsonAsync("/auth/refresh", new { refreshToken });
}
