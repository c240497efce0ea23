using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace OrbitGrains.Tests.WebClient;

/// <summary>Rooms as viewers, operators and admins use them, with a test robot streaming telemetry.</summary>
public sealed class RoomsPagesTests(WebClientHost host) : WebClientTest<WebClientHost>(host)
{
    [Fact]
    public async Task A_viewer_watches_telemetry_and_sees_an_operators_estop_which_the_audit_records()
    {
        var operatorPage = await Product.SignedInPageAsync(Product.Admin, "/rooms");
        await Expect(Heading(operatorPage, "Rooms")).ToBeVisibleAsync();
        var name = $"lab-{Guid.NewGuid():N}"[..12];
        await operatorPage.GetByLabel("Name").FillAsync(name);
        await operatorPage.GetByRole(AriaRole.Button, new() { Name = "Create room" }).ClickAsync();
        await Expect(operatorPage.GetByRole(AriaRole.Button, new() { Name = "Join room" })).ToBeVisibleAsync();
        var sessionId = Uri.UnescapeDataString(new Uri(operatorPage.Url).Segments[^1]);

        await operatorPage.GetByLabel("Operator").CheckAsync();
        await operatorPage.GetByRole(AriaRole.Button, new() { Name = "Join room" }).ClickAsync();
        await Expect(operatorPage.GetByText("Joined as operator")).ToBeVisibleAsync();

        var viewer = await Product.NewPersonAsync("viewer");
        var viewerPage = await Product.SignedInPageAsync(viewer, $"/rooms/{sessionId}");
        await viewerPage.GetByRole(AriaRole.Button, new() { Name = "Join room" }).ClickAsync();
        await Expect(viewerPage.GetByText("Joined as viewer")).ToBeVisibleAsync();
        await Expect(viewerPage.GetByText("Waiting for telemetry from the robot…")).ToBeVisibleAsync();

        await using var robot = await JoinRobotAsync(sessionId);
        for (var i = 0; i < 3; i++)
        {
            await robot.SendAsync(new { type = "telemetry", data = new { speed = 1.5 + i, battery = 80 - i } });
            await Expect(viewerPage.GetByTestId("telemetry-count")).ToHaveTextAsync($"{i + 1} sample(s)");
        }

        await Expect(viewerPage.Locator("svg polyline")).ToHaveCountAsync(2);
        await Expect(viewerPage.GetByText("battery:")).ToBeVisibleAsync();
        await PageChecks.CheckAsync(viewerPage, "rooms-viewer");
        // A viewer is not offered what the room would refuse them.
        await Expect(viewerPage.GetByRole(AriaRole.Button, new() { Name = "Emergency stop" })).ToHaveCountAsync(0);

        // The control lock: taken, shown to everyone in the room, given back.
        await operatorPage.GetByRole(AriaRole.Button, new() { Name = "Take control" }).ClickAsync();
        await Expect(viewerPage.GetByText("has control")).ToBeVisibleAsync();
        await operatorPage.GetByRole(AriaRole.Button, new() { Name = "Release control" }).ClickAsync();
        await Expect(viewerPage.GetByText("has control")).ToHaveCountAsync(0);
        await Expect(operatorPage.GetByRole(AriaRole.Button, new() { Name = "Take control" })).ToBeVisibleAsync();

        await operatorPage.GetByLabel("Reason for an emergency stop").FillAsync("hand in the cell");
        await operatorPage.GetByRole(AriaRole.Button, new() { Name = "Emergency stop" }).ClickAsync();
        await operatorPage.GetByRole(AriaRole.Button, new() { Name = "Press again to STOP everything" }).ClickAsync();

        var estop = await robot.NextAsync(f => (string?)f["type"] == "estop");
        Assert.Equal("hand in the cell", (string?)estop["reason"]);
        await Expect(viewerPage.GetByRole(AriaRole.Alert).Filter(new() { HasText = "EMERGENCY STOP by" })).ToContainTextAsync("hand in the cell");
        await Expect(operatorPage.GetByText("Emergency stop sent to")).ToBeVisibleAsync();

        var audit = operatorPage.GetByRole(AriaRole.Region, new() { Name = "Audit log" });
        await Expect(audit.GetByRole(AriaRole.Cell, new() { Name = "estop", Exact = true })).ToBeVisibleAsync();
        await PageChecks.CheckAsync(operatorPage, "rooms-operator-admin");

        await operatorPage.GetByRole(AriaRole.Link, new() { Name = "← Rooms" }).ClickAsync();
        var all = operatorPage.GetByRole(AriaRole.Region, new() { Name = "All active rooms" });
        await Expect(all.GetByRole(AriaRole.Link, new() { Name = name })).ToBeVisibleAsync();
        await PageChecks.CheckAsync(operatorPage, "rooms");
    }

    [Fact]
    public async Task My_rooms_lists_the_rooms_a_person_created_in_any_browser_and_only_theirs()
    {
        var page = await Product.SignedInPageAsync(Product.Admin, "/rooms");
        var name = $"mine-{Guid.NewGuid():N}"[..12];
        await page.GetByLabel("Name").FillAsync(name);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create room" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Join room" })).ToBeVisibleAsync();
        var sessionId = Uri.UnescapeDataString(new Uri(page.Url).Segments[^1]);

        // Another browser of the same person: nothing of the room is in its storage, so the list comes from the API.
        var elsewhere = await Product.SignedInPageAsync(Product.Admin, "/rooms");
        var mine = elsewhere.GetByRole(AriaRole.Region, new() { Name = "My rooms" });
        await Expect(mine.GetByRole(AriaRole.Link, new() { Name = name })).ToBeVisibleAsync();
        await Expect(elsewhere.GetByRole(AriaRole.Heading, new() { Name = "Opened in this browser" })).ToHaveCountAsync(0);

        // Somebody else's list is their own: empty for a new member, and the room is not in their API answer either.
        var member = await Product.NewPersonAsync("nomine");
        var memberPage = await Product.SignedInPageAsync(member, "/rooms");
        await Expect(memberPage.GetByText("Rooms you create are listed here.")).ToBeVisibleAsync();
        await PageChecks.CheckAsync(memberPage, "rooms-member");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/rooms");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", member.Token);
        using var response = await Product.Http.SendAsync(request);
        var rooms = (JsonArray)(await response.Content.ReadFromJsonAsync<JsonObject>())!["rooms"]!;
        Assert.Empty(rooms);

        using var own = new HttpRequestMessage(HttpMethod.Get, "/api/rooms");
        own.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Product.Admin.Token);
        using var ownResponse = await Product.Http.SendAsync(own);
        var first = (await ownResponse.Content.ReadFromJsonAsync<JsonObject>())!["rooms"]![0]!;
        Assert.Equal(sessionId, (string?)first["session_id"]);
        Assert.Equal(name, (string?)first["name"]);
    }

    [Fact]
    public async Task A_shared_token_owns_no_rooms_and_is_told_so()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/rooms");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", WebClientHost.AdminToken);
        using var response = await Product.Http.SendAsync(request);
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("Only a signed-in person owns rooms", (string?)(await response.Content.ReadFromJsonAsync<JsonObject>())!["detail"]);
    }

    [Fact]
    public async Task A_recording_replays_on_its_timeline()
    {
        var page = await Product.SignedInPageAsync(Product.Admin, "/rooms");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create room" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Join room" })).ToBeVisibleAsync();
        var sessionId = Uri.UnescapeDataString(new Uri(page.Url).Segments[^1]);
        await page.GetByRole(AriaRole.Button, new() { Name = "Start recording" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { NameRegex = new System.Text.RegularExpressions.Regex("^Replay ") })).ToHaveCountAsync(1);

        await using var robot = await JoinRobotAsync(sessionId);
        await robot.SendAsync(new { type = "telemetry", data = new { speed = 2 } });
        await page.GetByRole(AriaRole.Button, new() { Name = "Stop recording" }).ClickAsync();
        await Eventually.TrueAsync(async () =>
        {
            await page.GetByRole(AriaRole.Button, new() { NameRegex = new System.Text.RegularExpressions.Regex("^Replay ") }).ClickAsync();
            return await page.GetByText("telemetry from").CountAsync() > 0;
        }, "the recording holds the telemetry");
        await Expect(page.GetByRole(AriaRole.Img, new() { NameRegex = new System.Text.RegularExpressions.Regex("Recording timeline") })).ToBeVisibleAsync();
        await PageChecks.CheckAsync(page, "rooms-recording");
    }

    private async Task<OrbitSocket> JoinRobotAsync(string sessionId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/login") { Content = JsonContent.Create(new { role = "robot", name = "robot-1" }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", WebClientHost.AdminToken);
        using var response = await Product.Http.SendAsync(request);
        var token = (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["token"]!;
        var robot = await OrbitSocket.ConnectAsync(Product.Host.BaseAddress, $"/ws?token={Uri.EscapeDataString(token)}&session_id={Uri.EscapeDataString(sessionId)}");
        await robot.NextAsync(f => (string?)f["type"] == "joined");
        return robot;
    }
}
