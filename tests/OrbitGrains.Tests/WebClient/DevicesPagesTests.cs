using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace OrbitGrains.Tests.WebClient;

/// <summary>The device flow and threads as a person uses them, with a test anchor on the other end of the relay.</summary>
public sealed class DevicesPagesTests(WebClientHost host) : WebClientTest<WebClientHost>(host)
{
    [Fact]
    public async Task Approving_a_device_code_shows_the_anchor_and_a_thread_answers_a_request_live()
    {
        var person = await Product.NewPersonAsync("devices");
        var code = (await (await Product.Http.PostAsync("/auth/device/code", null)).Content.ReadFromJsonAsync<JsonObject>())!;
        var verification = new Uri((string)code["verificationUrl"]!);
        Assert.Equal("/device", verification.AbsolutePath);
        var userCode = (string)code["userCode"]!;

        // The Anchor's link, with the code in it, opens the client's approval page with the code filled in.
        var page = await Product.SignedInPageAsync(person, $"/device?user_code={userCode}");
        var field = page.GetByLabel("Code from your device");
        await Expect(field).ToHaveValueAsync(userCode);
        await PageChecks.CheckAsync(page, "devices-approve");
        await page.GetByRole(AriaRole.Button, new() { Name = $"Approve as {person.Name}" }).ClickAsync();
        await Expect(page.GetByText($"Approved {userCode}.")).ToBeVisibleAsync();

        var granted = (await (await Product.Http.PostAsJsonAsync("/auth/device/token", new { deviceCode = (string)code["deviceCode"]! }))
            .Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("authorised", (string?)granted["status"]);
        Assert.Equal(person.UserId, (string?)granted["userId"]);

        await page.GetByRole(AriaRole.Link, new() { Name = "Go to your devices" }).ClickAsync();
        await Expect(page.GetByText("No anchor is connected.")).ToBeVisibleAsync();
        await PageChecks.CheckAsync(page, "devices-empty");

        await using var anchor = await OrbitSocket.ConnectAsync(Product.Host.BaseAddress, $"/ws/anchor?token={Uri.EscapeDataString((string)granted["anchorAccessToken"]!)}");
        await anchor.NextAsync(f => (string?)f["type"] == "orbit.hello");
        await anchor.SendAsync(new { type = "anchor.hello", ts = DateTimeOffset.UtcNow, hostname = "test-laptop", platform = "linux", anchorId = "anchor-1" });
        await anchor.SendAsync(new { type = "orbit.subscribe", threadId = "thread-1" });

        // The page asks the new anchor for its threads as soon as it appears.
        await Expect(page.GetByRole(AriaRole.List, new() { Name = "Anchors" }).GetByText("test-laptop", new() { Exact = true })).ToBeVisibleAsync();
        var list = await anchor.NextAsync(f => (string?)f["method"] == "thread/list");
        await anchor.SendAsync(new { id = list["id"]!.DeepClone(), result = new { data = new[] { new { id = "thread-1", title = "Fix the build" } } } });
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Fix the build" })).ToBeVisibleAsync();
        await PageChecks.CheckAsync(page, "devices");

        await page.GetByRole(AriaRole.Link, new() { Name = "Fix the build" }).ClickAsync();
        await Expect(page.GetByText("Live", new() { Exact = true })).ToBeVisibleAsync();
        await page.GetByLabel("Request to the anchor").FillAsync("Please fix the build");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();

        var turn = await anchor.NextAsync(f => (string?)f["method"] == "turn/start");
        Assert.Equal("thread-1", (string?)turn["params"]!["threadId"]);
        Assert.Equal("Please fix the build", (string?)turn["params"]!["input"]![0]!["text"]);
        await anchor.SendAsync(new { id = turn["id"]!.DeepClone(), result = new { turn = new { id = "turn-1" } } });
        await anchor.SendAsync(new { method = "turn/started", @params = new { threadId = "thread-1", turn = new { id = "turn-1", status = "inProgress" } } });
        await anchor.SendAsync(new { method = "item/agentMessage/delta", @params = new { threadId = "thread-1", itemId = "msg-1", delta = "Build " } });
        await Expect(page.GetByText("Build", new() { Exact = false }).First).ToBeVisibleAsync();
        await anchor.SendAsync(new { method = "item/agentMessage/delta", @params = new { threadId = "thread-1", itemId = "msg-1", delta = "fixed." } });
        await anchor.SendAsync(new { method = "item/completed", @params = new { threadId = "thread-1", item = new { id = "msg-1", type = "agentMessage", text = "Build fixed." } } });
        await anchor.SendAsync(new { method = "item/completed", @params = new { threadId = "thread-1", item = new { id = "cmd-1", type = "commandExecution", command = "dotnet build", aggregatedOutput = "Build succeeded." } } });
        await anchor.SendAsync(new { id = "approval-1", method = "item/commandExecution/requestApproval", @params = new { threadId = "thread-1", command = "rm -rf bin" } });

        var messages = page.GetByRole(AriaRole.Region, new() { Name = "Messages" });
        await Expect(messages.GetByText("Build fixed.")).ToBeVisibleAsync();
        await Expect(page.GetByText("Run: rm -rf bin")).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "Artifacts" }).GetByText("dotnet build")).ToBeVisibleAsync();
        await PageChecks.CheckAsync(page, "devices-thread");

        await page.GetByRole(AriaRole.Button, new() { Name = "Approve", Exact = true }).ClickAsync();
        var decision = await anchor.NextAsync(f => (string?)f["id"] == "approval-1");
        Assert.Equal("accept", (string?)decision["result"]!["decision"]);
        await Expect(page.GetByText("Run: rm -rf bin")).ToBeHiddenAsync();
        await anchor.SendAsync(new { method = "turn/completed", @params = new { threadId = "thread-1", turn = new { id = "turn-1", status = "completed" } } });
        await Expect(page.GetByText("turn: completed")).ToBeVisibleAsync();

        // Opened again, the thread replays what the relay stored.
        await page.ReloadAsync();
        await Expect(messages.GetByText("Build fixed.")).ToBeVisibleAsync();
        await Expect(page.GetByText("stored messages replayed")).ToBeVisibleAsync();

        // Presence is live both ways: the anchor going away leaves the list at once.
        await page.GetByRole(AriaRole.Link, new() { Name = "← Devices" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.List, new() { Name = "Anchors" }).GetByText("test-laptop", new() { Exact = true })).ToBeVisibleAsync();
        await anchor.DisposeAsync();
        await Expect(page.GetByText("No anchor is connected.")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task A_wrong_code_is_refused_in_the_apis_words_and_nothing_is_approved()
    {
        var person = await Product.NewPersonAsync("wrong");
        var page = await Product.SignedInPageAsync(person, "/device?user_code=AAAA-AAAA");
        await page.GetByRole(AriaRole.Button, new() { Name = $"Approve as {person.Name}" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "Code expired or not found." })).ToBeVisibleAsync();
        await Expect(page.GetByText("Approved")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task The_approval_page_asks_a_signed_out_person_to_sign_in_and_keeps_the_code()
    {
        var page = await Product.AnonymousPageAsync("/device?user_code=ABCD-EF23");
        await Expect(page.GetByText("Code: ABCD-EF23")).ToBeVisibleAsync();
        var signIn = page.GetByRole(AriaRole.Link, new() { Name = "sign in", Exact = true });
        Assert.Equal("/signin?next=%2Fdevice%3Fuser_code%3DABCD-EF23", await signIn.GetAttributeAsync("href"));
        await PageChecks.CheckAsync(page, "devices-approve-signed-out");
    }
}
