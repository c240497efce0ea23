using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace OrbitGrains.Tests.WebClient;

/// <summary>The admin page against the admin API: users and roles, disabling, invites, the sign-up policy; members refused.</summary>
public sealed class AdminPageTests(WebClientHost host) : WebClientTest<WebClientHost>(host)
{
    [Fact]
    public async Task An_admin_reaches_the_admin_page_sees_the_sign_up_policy_and_the_dashboard_link()
    {
        var page = await Product.SignedInPageAsync(Product.Admin, "/");
        await page.GetByRole(AriaRole.Link, new() { Name = "Admin", Exact = true }).ClickAsync();
        await Expect(Heading(page, "Administration")).ToBeVisibleAsync();
        Assert.Equal("/dashboard/", await page.GetByRole(AriaRole.Link, new() { Name = "Open the Orleans dashboard" }).GetAttributeAsync("href"));
        await Expect(page.GetByTestId("registration")).ToContainTextAsync("Sign-up is open");
        await Expect(page.GetByRole(AriaRole.Row, new() { Name = Product.Admin.Name })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Loading" })).ToHaveCountAsync(0);
        await PageChecks.CheckAsync(page, "admin");
    }

    [Fact]
    public async Task An_admin_grants_and_revokes_roles_and_disables_and_enables_an_account()
    {
        var member = await Product.NewPersonAsync("target");
        var page = await Product.SignedInPageAsync(Product.Admin, "/admin");
        await page.GetByLabel("Search users").FillAsync(member.Name);
        await page.GetByRole(AriaRole.Button, new() { Name = "Search", Exact = true }).ClickAsync();
        var row = page.GetByRole(AriaRole.Row, new() { Name = member.Name });
        await Expect(row.GetByTestId("roles")).ToHaveTextAsync("member");
        await Expect(page.GetByTestId("user-range")).ToContainTextAsync("1–1 matching");

        await row.GetByLabel($"operator role for {member.Name}").CheckAsync();
        await Expect(row.GetByTestId("roles")).ToHaveTextAsync("member, operator");
        Assert.Equal(["member", "operator"], await RolesAsync(member));
        await row.GetByLabel($"admin role for {member.Name}").CheckAsync();
        await Expect(row.GetByTestId("roles")).ToHaveTextAsync("member, operator, admin");
        await row.GetByLabel($"operator role for {member.Name}").UncheckAsync();
        await row.GetByLabel($"admin role for {member.Name}").UncheckAsync();
        await Expect(row.GetByTestId("roles")).ToHaveTextAsync("member");
        Assert.Equal(["member"], await RolesAsync(member));

        await row.GetByRole(AriaRole.Button, new() { Name = "Disable", Exact = true }).ClickAsync();
        await row.GetByRole(AriaRole.Button, new() { Name = $"Disable {member.Name}: every sign-in ends" }).ClickAsync();
        await Expect(row.GetByText("disabled", new() { Exact = true })).ToBeVisibleAsync();
        Assert.False((bool)(await Product.SessionStatusAsync(member.Token))["authenticated"]!);
        await PageChecks.CheckAsync(page, "admin-users");

        await row.GetByRole(AriaRole.Button, new() { Name = $"Enable {member.Name}" }).ClickAsync();
        await Expect(row.GetByText("active", new() { Exact = true })).ToBeVisibleAsync();
        Assert.Equal(HttpStatusCode.OK, (await Product.Http.PostAsJsonAsync("/api/auth/login", new { email = member.Email, password = WebClientHost.Password })).StatusCode);
    }

    [Fact]
    public async Task An_admin_pages_through_the_users_a_search_matches()
    {
        var tag = $"pg{Guid.NewGuid():N}"[..10];
        await Task.WhenAll(Enumerable.Range(0, 27).Select(i => AdminAsync(HttpMethod.Post, "/api/admin/users", new { name = $"{tag}-{i:D2}" })));

        var page = await Product.SignedInPageAsync(Product.Admin, "/admin");
        await page.GetByLabel("Search users").FillAsync(tag);
        await page.GetByRole(AriaRole.Button, new() { Name = "Search", Exact = true }).ClickAsync();
        var range = page.GetByTestId("user-range");
        await Expect(range).ToContainTextAsync("1–25 matching");
        var users = page.GetByRole(AriaRole.Region, new() { Name = "Users and roles" }).GetByRole(AriaRole.Row).Filter(new() { HasText = tag });
        await Expect(users).ToHaveCountAsync(25);
        var firstPage = await NamesAsync(users);

        await page.GetByRole(AriaRole.Button, new() { Name = "Next page" }).ClickAsync();
        await Expect(range).ToContainTextAsync("26–27 matching");
        await Expect(users).ToHaveCountAsync(2);
        var secondPage = await NamesAsync(users);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Next page" })).ToBeDisabledAsync();
        Assert.Equal(Enumerable.Range(0, 27).Select(i => $"{tag}-{i:D2}").Order(), firstPage.Concat(secondPage).Order());

        await page.GetByRole(AriaRole.Button, new() { Name = "Previous page" }).ClickAsync();
        await Expect(range).ToContainTextAsync("1–25 matching");
        await Expect(page.GetByRole(AriaRole.Row, new() { Name = firstPage[0] })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task An_admin_creates_an_invite_sees_its_code_once_and_deletes_it()
    {
        var note = $"for {Guid.NewGuid():N}"[..16];
        var page = await Product.SignedInPageAsync(Product.Admin, "/admin");
        await page.GetByLabel("Note (optional)").FillAsync(note);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create an invite" }).ClickAsync();
        var code = await page.GetByTestId("invite-code").TextContentAsync();
        Assert.Matches("^[A-Za-z0-9_-]{20,}$", code);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Copy code" })).ToBeVisibleAsync();

        var invites = (await (await AdminAsync(HttpMethod.Get, "/api/admin/invites")).Content.ReadFromJsonAsync<JsonObject>())!["invites"]!.AsArray();
        var invite = invites.Single(i => (string?)i!["note"] == note)!;
        var id = (string)invite["id"]!;
        Assert.DoesNotContain(code!, invites.ToJsonString());
        var row = page.GetByRole(AriaRole.Row, new() { Name = $"Invite {id}" });
        await Expect(row).ToContainTextAsync("unused");
        await Expect(row).ToContainTextAsync(note);
        await PageChecks.CheckAsync(page, "admin-invites");

        // The code is shown once: a reload lists the invite, never its code.
        await page.ReloadAsync();
        await Expect(row).ToBeVisibleAsync();
        await Expect(page.GetByTestId("invite-code")).ToHaveCountAsync(0);
        Assert.DoesNotContain(code!, await page.ContentAsync());

        await row.GetByRole(AriaRole.Button, new() { Name = "Delete", Exact = true }).ClickAsync();
        await row.GetByRole(AriaRole.Button, new() { Name = $"Delete invite {id}" }).ClickAsync();
        await Expect(row).ToHaveCountAsync(0);
        Assert.Equal(HttpStatusCode.NotFound, (await AdminAsync(HttpMethod.Delete, $"/api/admin/invites/{id}")).StatusCode);
    }

    [Fact]
    public async Task A_member_who_opens_the_admin_page_is_refused_clearly_and_so_is_their_api_call()
    {
        var member = await Product.NewPersonAsync("member");
        var page = await Product.SignedInPageAsync(member, "/admin");
        await Expect(page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "Only administrators can open this page. Your roles: member." })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Admin", Exact = true })).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Open the Orleans dashboard" })).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Users and roles" })).ToHaveCountAsync(0);
        await PageChecks.CheckAsync(page, "admin-refused");

        foreach (var (method, path) in new[] { (HttpMethod.Get, "/api/admin/users"), (HttpMethod.Get, "/api/admin/invites"), (HttpMethod.Post, "/api/admin/invites") })
        {
            using var request = new HttpRequestMessage(method, path);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", member.Token);
            using var response = await Product.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }
    }

    private static async Task<string[]> NamesAsync(ILocator rows) =>
        (await rows.EvaluateAllAsync<string[]>("rows => rows.map(r => r.getAttribute('aria-label'))")).ToArray();

    private async Task<string[]> RolesAsync(PersonSession person) =>
        (await Product.SessionStatusAsync(person.Token))["user"]!["roles"]!.AsArray().Select(r => (string)r!).ToArray();

    private async Task<HttpResponseMessage> AdminAsync(HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", WebClientHost.AdminToken);
        var response = await Product.Http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode || method == HttpMethod.Delete, $"{method} {path}: {(int)response.StatusCode}");
        return response;
    }
}
