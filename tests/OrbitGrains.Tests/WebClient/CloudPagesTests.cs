using System.Net;
using System.Net.Http.Headers;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace OrbitGrains.Tests.WebClient;

/// <summary>The Cloud pages in LOCAL_DEV_MODE: instances, their desktop through noVNC against a real Xvnc, the gateway console, API keys.</summary>
public sealed class CloudPagesTests(CloudWebClientHost host) : WebClientTest<CloudWebClientHost>(host)
{
    // The pixel at the middle of the desktop's canvas, [r, g, b, a], or null before noVNC has drawn a framebuffer.
    private const string CentrePixel =
        "() => { const c = document.querySelector(\"[data-testid='desktop'] canvas\"); if (!c || !c.width) return null;" +
        " const d = c.getContext('2d').getImageData(c.width >> 1, c.height >> 1, 1, 1).data; return [d[0], d[1], d[2], d[3]]; }";

    [Fact]
    public async Task An_instance_reaches_running_its_desktop_draws_the_remote_screen_and_it_stops()
    {
        var person = await Product.NewPersonAsync("cloud");
        var page = await Product.SignedInPageAsync(person, "/cloud");
        await Expect(Heading(page, "Cloud")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("quota")).ToHaveTextAsync("0 of 2 active instances (launching or running).");
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Live" })).ToBeVisibleAsync(new() { Timeout = 30_000 });

        await page.GetByLabel("Name").FillAsync("Studio");
        await page.GetByLabel("Instance type").SelectOptionAsync("t3.medium");
        await page.GetByRole(AriaRole.Button, new() { Name = "Launch instance" }).ClickAsync();
        var row = page.GetByRole(AriaRole.Row, new() { Name = "Studio" });
        await Expect(row.GetByTestId("instance-status")).ToHaveTextAsync("running", new() { Timeout = 60_000 });
        await Expect(row).ToContainTextAsync("t3.medium");
        await Expect(page.GetByTestId("quota")).ToHaveTextAsync("1 of 2 active instances (launching or running).");
        await PageChecks.CheckAsync(page, "cloud");

        // The home page lists it among the running instances, with what it cost so far.
        var home = await Product.SignedInPageAsync(person, "/");
        var running = home.GetByRole(AriaRole.List, new() { Name = "Running instances" });
        await Expect(running.GetByRole(AriaRole.Listitem).Filter(new() { HasText = "Studio" })).ToContainTextAsync("so far", new() { Timeout = 30_000 });
        await PageChecks.CheckAsync(home, "home-cloud");
        await home.CloseAsync();

        // The desktop: noVNC draws Xvnc's framebuffer, and follows the remote screen as it changes.
        await page.GetByRole(AriaRole.Link, new() { Name = "Studio" }).ClickAsync();
        await Expect(Heading(page, "Studio")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("desktop-state")).ToHaveTextAsync("connected", new() { Timeout = 60_000 });
        await page.WaitForFunctionAsync($"() => {{ const p = ({CentrePixel})(); return p !== null && p[3] === 255; }}", null, new() { Timeout = 30_000 });
        await Product.Vnc.FillAsync("#ff0000");
        await WaitForCentreAsync(page, "p[0] > 200 && p[1] < 60 && p[2] < 60", "red");
        await Product.Vnc.FillAsync("#0000ff");
        await WaitForCentreAsync(page, "p[0] < 60 && p[1] < 60 && p[2] > 200", "blue");

        // The gateway console: the proxy's status, then the gateway's own messages, and what we send it comes back.
        var console = page.GetByRole(AriaRole.List, new() { Name = "Gateway messages" });
        await Expect(console).ToContainTextAsync("hello", new() { Timeout = 30_000 });
        await Expect(page.GetByTestId("console-status")).ToHaveTextAsync("connected");
        await Expect(console).Not.ToContainTextAsync("tick");
        await page.GetByLabel("Message to the gateway").FillAsync("status please");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send", Exact = true }).ClickAsync();
        await Expect(console).ToContainTextAsync("echo:status please", new() { Timeout = 30_000 });
        await PageChecks.CheckAsync(page, "cloud-desktop");

        await page.GetByRole(AriaRole.Button, new() { Name = "Stop Studio" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm: stop Studio" }).ClickAsync();
        await Expect(page.GetByTestId("instance-status")).ToHaveTextAsync("stopped", new() { Timeout = 60_000 });
        await Expect(page.GetByText("The desktop and the gateway console open while the instance is running.")).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Link, new() { Name = "← Cloud" }).ClickAsync();
        await Expect(page.GetByTestId("quota")).ToHaveTextAsync("0 of 2 active instances (launching or running).");
        await page.GetByRole(AriaRole.Button, new() { Name = "Terminate Studio" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm: terminate Studio" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Row, new() { Name = "Studio" })).ToHaveCountAsync(0, new() { Timeout = 60_000 });
    }

    [Fact]
    public async Task Another_persons_instance_is_not_found_and_its_desktop_is_refused()
    {
        var owner = await Product.NewPersonAsync("owner");
        using var create = new HttpRequestMessage(HttpMethod.Post, "/api/instances") { Content = JsonContent("""{"name":"Private","instance_type":"t3.medium"}""") };
        create.Headers.Authorization = new AuthenticationHeaderValue("Bearer", owner.Token);
        using var created = await Product.Http.SendAsync(create);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = System.Text.Json.Nodes.JsonNode.Parse(await created.Content.ReadAsStringAsync())!["id"]!.ToString();

        var stranger = await Product.NewPersonAsync("stranger");
        var page = await Product.SignedInPageAsync(stranger, $"/cloud/instances/{id}");
        await Expect(page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "Instance not found" })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("desktop")).ToHaveCountAsync(0);
        var list = await Product.SignedInPageAsync(stranger, "/cloud");
        await Expect(list.GetByText("No instances.")).ToBeVisibleAsync(new() { Timeout = 30_000 });
    }

    [Fact]
    public async Task Provider_keys_are_added_replaced_and_removed_and_never_shown_back()
    {
        var person = await Product.NewPersonAsync("keys");
        var page = await Product.SignedInPageAsync(person, "/cloud");
        var keys = page.GetByRole(AriaRole.Region, new() { Name = "Provider API keys" });
        await Expect(keys.GetByText("No keys stored.")).ToBeVisibleAsync();

        const string secret = "sk-ant-test-0123456789abcdefghij";
        await keys.GetByLabel("Provider").SelectOptionAsync("anthropic");
        await keys.GetByLabel("API key").FillAsync(secret);
        await keys.GetByRole(AriaRole.Button, new() { Name = "Save key" }).ClickAsync();
        await Expect(keys.GetByText("The anthropic key was saved.")).ToBeVisibleAsync();
        await Expect(keys.GetByRole(AriaRole.List, new() { Name = "Stored keys" })).ToContainTextAsync("anthropic");
        Assert.DoesNotContain(secret, await page.ContentAsync());
        Assert.Equal("", await keys.GetByLabel("API key").InputValueAsync());
        await PageChecks.CheckAsync(page, "cloud-keys");

        await keys.GetByLabel("API key").FillAsync("sk-ant-test-replacement-0123456789");
        await keys.GetByRole(AriaRole.Button, new() { Name = "Replace key" }).ClickAsync();
        await Expect(keys.GetByText("The anthropic key was replaced.")).ToBeVisibleAsync();

        await keys.GetByRole(AriaRole.Button, new() { Name = "Remove anthropic key" }).ClickAsync();
        await keys.GetByRole(AriaRole.Button, new() { Name = "Confirm: remove anthropic key" }).ClickAsync();
        await Expect(keys.GetByText("No keys stored.")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task A_full_quota_disables_launching_and_a_create_the_server_refuses_shows_its_detail()
    {
        var person = await Product.NewPersonAsync("quota");
        var page = await Product.SignedInPageAsync(person, "/cloud");
        await Expect(page.GetByTestId("quota")).ToHaveTextAsync("0 of 2 active instances (launching or running).");
        // Two made elsewhere while the page is open: the list learns of them from the feed and the form closes.
        for (var i = 0; i < 2; i++)
        {
            using var create = new HttpRequestMessage(HttpMethod.Post, "/api/instances") { Content = JsonContent($$"""{"name":"Elsewhere {{i}}"}""") };
            create.Headers.Authorization = new AuthenticationHeaderValue("Bearer", person.Token);
            using var created = await Product.Http.SendAsync(create);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        await Expect(page.GetByTestId("quota")).ToHaveTextAsync("2 of 2 active instances (launching or running).", new() { Timeout = 30_000 });
        var launch = page.GetByRole(AriaRole.Button, new() { Name = "Launch instance" });
        await Expect(launch).ToBeDisabledAsync();
        await Expect(page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "The quota is reached" })).ToBeVisibleAsync();

        // Forced past the page's own check, the server's refusal is what the person reads; nothing is made.
        await launch.EvaluateAsync("e => { e.disabled = false; }");
        await launch.ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "Maximum 2 active instances allowed" })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("instance-status")).ToHaveCountAsync(2);
    }

    private static StringContent JsonContent(string json) => new(json, System.Text.Encoding.UTF8, "application/json");

    /// <summary>Waits until the desktop's centre pixel <c>p</c> meets <paramref name="condition"/>; fails saying which colour never came.</summary>
    private static async Task WaitForCentreAsync(IPage page, string condition, string colour)
    {
        try
        {
            await page.WaitForFunctionAsync($"() => {{ const p = ({CentrePixel})(); return p !== null && {condition}; }}", null, new() { Timeout = 30_000 });
        }
        catch (TimeoutException)
        {
            Assert.Fail($"the desktop never turned {colour}; its centre is {await page.EvaluateAsync<string>($"() => JSON.stringify(({CentrePixel})())")}");
        }
    }
}
