using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace OrbitGrains.Tests.WebClient;

/// <summary>Sign-up, sign-in and the account page, as a person uses them in Chromium.</summary>
public sealed class AccountsPagesTests(WebClientHost host) : WebClientTest<WebClientHost>(host)
{
    [Fact]
    public async Task A_person_signs_up_with_a_passkey_stays_signed_in_across_a_reload_and_signs_in_again()
    {
        var page = await Product.Chromium.NewPageAsync(Product.Origin);
        await using var authenticator = await VirtualAuthenticator.AddAsync(page);
        var name = $"pk-{Guid.NewGuid():N}"[..16];

        await page.GotoAsync("/signup");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Create a passkey" })).ToBeVisibleAsync();
        await PageChecks.CheckAsync(page, "accounts-signup");
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync(name);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create a passkey" }).ClickAsync();
        await Expect(Heading(page, $"Hello, {name}")).ToBeVisibleAsync();
        Assert.Single(await authenticator.CredentialsAsync());

        await page.ReloadAsync();
        await Expect(Heading(page, $"Hello, {name}")).ToBeVisibleAsync();
        await PageChecks.CheckAsync(page, "home");

        await page.GetByRole(AriaRole.Link, new() { Name = name }).ClickAsync();
        await Expect(Heading(page, "Your account")).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "Passkeys" }).GetByRole(AriaRole.Listitem)).ToHaveCountAsync(1);
        await PageChecks.CheckAsync(page, "accounts-account");

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out", Exact = true }).ClickAsync();
        await Expect(Heading(page, "Sign in")).ToBeVisibleAsync();
        Assert.Null(await page.EvaluateAsync<string?>("localStorage.getItem('orbitgrains.session')"));
        await PageChecks.CheckAsync(page, "accounts-signin");

        await page.GetByLabel("Name", new() { Exact = true }).FillAsync(name);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in with a passkey" }).ClickAsync();
        await Expect(Heading(page, $"Hello, {name}")).ToBeVisibleAsync();

        // A second security key (another authenticator: the first already holds this account's credential) joins the account.
        await authenticator.DisposeAsync();
        await using var second = await VirtualAuthenticator.AddAsync(page);
        await page.GotoAsync("/account");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add a passkey" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "Passkeys" }).GetByRole(AriaRole.Listitem)).ToHaveCountAsync(2);
        Assert.Single(await second.CredentialsAsync());
    }

    [Fact]
    public async Task A_refused_sign_in_shows_the_apis_own_message_and_leaves_the_person_signed_out()
    {
        var page = await Product.AnonymousPageAsync("/signin");
        await page.GetByLabel("Email", new() { Exact = true }).FillAsync("nobody@example.test");
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync("not the password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).Last.ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "Incorrect email or password" })).ToBeVisibleAsync();
        await Expect(Heading(page, "Sign in")).ToBeVisibleAsync();
        Assert.Null(await page.EvaluateAsync<string?>("localStorage.getItem('orbitgrains.session')"));
    }

    [Fact]
    public async Task A_signed_out_visitor_of_a_page_is_sent_to_sign_in_and_back_there_afterwards()
    {
        var person = await Product.NewPersonAsync("back");
        var page = await Product.AnonymousPageAsync("/pipeline");
        await Expect(Heading(page, "Sign in")).ToBeVisibleAsync();
        Assert.EndsWith("/signin?next=%2Fpipeline", page.Url);

        await page.GetByLabel("Email", new() { Exact = true }).FillAsync(person.Email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync("correct horse battery staple");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).Last.ClickAsync();
        await Expect(Heading(page, "Pipeline")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task The_user_token_is_shown_once_works_as_a_bearer_and_is_revoked_from_the_page()
    {
        var person = await Product.NewPersonAsync("token");
        var page = await Product.SignedInPageAsync(person, "/account");
        await page.GetByRole(AriaRole.Button, new() { Name = "Issue a token" }).ClickAsync();
        var field = page.GetByLabel("Your new token (copy it now)");
        await Expect(field).ToBeVisibleAsync();
        var token = await field.InputValueAsync();
        Assert.True(token.Length >= 32, token);
        // Any family that takes a user's bearer takes it: the rooms' TURN route answers any valid one.
        Assert.Equal(System.Net.HttpStatusCode.OK, (await BearerGetAsync("/api/turn", token)).StatusCode);

        await page.GetByRole(AriaRole.Button, new() { Name = "Revoke my token" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm: Revoke my token" }).ClickAsync();
        await Expect(page.GetByText("Your user token is revoked.")).ToBeVisibleAsync();
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await BearerGetAsync("/api/turn", token)).StatusCode);
    }

    private async Task<HttpResponseMessage> BearerGetAsync(string path, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new("Bearer", token);
        return await Product.Http.SendAsync(request);
    }
}
