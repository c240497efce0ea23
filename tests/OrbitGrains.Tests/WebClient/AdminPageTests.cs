using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace OrbitGrains.Tests.WebClient;

/// <summary>The admin page, and that only admins are offered it.</summary>
public sealed class AdminPageTests(WebClientHost host) : WebClientTest<WebClientHost>(host)
{
    [Fact]
    public async Task An_admin_reaches_the_admin_page_and_the_dashboard_link()
    {
        var page = await Product.SignedInPageAsync(Product.Admin, "/");
        await page.GetByRole(AriaRole.Link, new() { Name = "Admin", Exact = true }).ClickAsync();
        await Expect(Heading(page, "Administration")).ToBeVisibleAsync();
        Assert.Equal("/dashboard/", await page.GetByRole(AriaRole.Link, new() { Name = "Open the Orleans dashboard" }).GetAttributeAsync("href"));
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Loading" })).ToHaveCountAsync(0);
        await PageChecks.CheckAsync(page, "admin");
    }

    [Fact]
    public async Task A_member_is_not_offered_the_admin_page()
    {
        var member = await Product.NewPersonAsync("member");
        var page = await Product.SignedInPageAsync(member, "/admin");
        await Expect(page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "Only administrators can open this page." })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Admin", Exact = true })).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Open the Orleans dashboard" })).ToHaveCountAsync(0);
    }
}
