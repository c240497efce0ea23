using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace OrbitGrains.Tests.Rooms;

/// <summary>The admin surface: only the admin role gets in; rooms are listed with participants; an admin estop reaches everyone.</summary>
[Collection(RoomsCollection.Name)]
public sealed class RoomAdminTests(RoomsHostFixture fixture)
{
    [Theory]
    [InlineData("GET", "/api/admin/rooms")]
    [InlineData("POST", "/api/admin/rooms/abc/estop")]
    [InlineData("GET", "/api/admin/audit")]
    [InlineData("POST", "/api/admin/rooms/abc/recording/start")]
    [InlineData("GET", "/api/admin/recordings/rec-abc")]
    public async Task Admin_endpoints_refuse_anyone_but_the_admin_with_a_detail(string method, string path)
    {
        foreach (var bearer in new[] { null, RoomsHostFixture.StaticToken, await fixture.RoomTokenAsync("admin") })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            request.Headers.Accept.ParseAdd("application/json");
            if (bearer is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
            }

            using var response = await fixture.Host.Http.SendAsync(request);
            Assert.True(response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden, $"{method} {path} with {bearer?[..6]}: {response.StatusCode}");
            var body = await response.Content.ReadFromJsonAsync<JsonObject>();
            Assert.False(string.IsNullOrWhiteSpace((string?)body!["detail"]));
        }
    }

    [Fact]
    public async Task Active_rooms_are_listed_with_their_participants_and_roles()
    {
        var session = await fixture.SessionAsync();
        await using var robot = await fixture.JoinAsync(session, "robot", "r2");
        await using var viewer = await fixture.JoinAsync(session, "viewer", "vi");

        var list = await fixture.AdminGetAsync("/api/admin/rooms");
        var room = Assert.Single((JsonArray)list["rooms"]!, r => (string?)r!["session_id"] == session)!;
        var participants = (JsonArray)room["participants"]!;
        Assert.Equal(2, participants.Count);
        Assert.Contains(participants, p => (string?)p!["id"] == robot.Id && (string?)p["role"] == "robot");
        Assert.Contains(participants, p => (string?)p!["id"] == viewer.Id && (string?)p["role"] == "viewer");

        await robot.Socket.DisposeAsync();
        await viewer.Socket.DisposeAsync();
        await Eventually.TrueAsync(async () => !((JsonArray)(await fixture.AdminGetAsync("/api/admin/rooms"))["rooms"]!).Any(r => (string?)r!["session_id"] == session),
            "the emptied room is no longer listed");
    }

    [Fact]
    public async Task An_admin_estop_reaches_every_participant_and_is_audited()
    {
        var session = await fixture.SessionAsync();
        await using var robot = await fixture.JoinAsync(session, "robot");
        await using var viewer = await fixture.JoinAsync(session, "viewer");

        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/admin/rooms/{session}/estop") { Content = JsonContent.Create(new { reason = "drill" }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", RoomsHostFixture.AdminToken);
        using var response = await fixture.Host.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, (int)(await response.Content.ReadFromJsonAsync<JsonObject>())!["delivered"]!);

        foreach (var peer in new[] { robot, viewer })
        {
            var estop = await peer.Socket.NextOfTypeAsync("estop");
            Assert.Equal("admin", (string?)estop["role"]);
            Assert.Equal("drill", (string?)estop["reason"]);
            Assert.Equal(["from", "from_name", "reason", "role", "ts", "type"], estop.Select(m => m.Key).Order());
        }

        var audited = Assert.Single(await fixture.AuditAsync(session), e => (string?)e!["action"] == "estop")!;
        Assert.Equal("admin", (string?)audited["role"]);
        Assert.Equal("127.0.0.1", (string?)audited["address"]);

        using var missing = new HttpRequestMessage(HttpMethod.Post, "/api/admin/rooms/nosuchroom/estop");
        missing.Headers.Authorization = new AuthenticationHeaderValue("Bearer", RoomsHostFixture.AdminToken);
        using var notFound = await fixture.Host.Http.SendAsync(missing);
        Assert.Equal(HttpStatusCode.NotFound, notFound.StatusCode);
    }

    [Fact]
    public async Task The_audit_log_is_read_in_bounded_pages_oldest_first()
    {
        var session = await fixture.SessionAsync();
        for (var i = 0; i < 5; i++)
        {
            await using var peer = await fixture.JoinAsync(session, "viewer", $"v{i}");
        }

        await Eventually.TrueAsync(async () => (await fixture.AuditAsync(session)).Count(e => (string?)e!["action"] == "leave") == 5, "five leaves audited");
        var first = await fixture.AdminGetAsync($"/api/admin/audit?log={session}&limit=4");
        var entries = (JsonArray)first["entries"]!;
        Assert.Equal(4, entries.Count);
        Assert.Equal("session_created", (string?)entries[0]!["action"]);
        // Who created the room, with which role, from where.
        Assert.Equal("operator", (string?)entries[0]!["role"]);
        Assert.Equal("127.0.0.1", (string?)entries[0]!["address"]);
        Assert.Equal([1L, 2L, 3L, 4L], entries.Select(e => (long)e!["seq"]!));
        var next = await fixture.AdminGetAsync($"/api/admin/audit?log={session}&limit=4&after={(long)first["next_after"]!}");
        Assert.Equal(5L, (long)((JsonArray)next["entries"]!)[0]!["seq"]!);

        using var bad = new HttpRequestMessage(HttpMethod.Get, "/api/admin/audit?limit=100000");
        bad.Headers.Authorization = new AuthenticationHeaderValue("Bearer", RoomsHostFixture.AdminToken);
        Assert.Equal(HttpStatusCode.BadRequest, (await fixture.Host.Http.SendAsync(bad)).StatusCode);
    }

    [Fact]
    public async Task A_recording_longer_than_a_page_reads_back_complete_and_in_order()
    {
        var recording = fixture.Host.Grains.GetGrain<OrbitGrains.Rooms.IRecordingGrain>($"paging-{Guid.NewGuid():N}");
        await recording.Start("paging-room");
        // Batches that straddle page boundaries, as the room's 200 ms flushes do.
        for (var batch = 0; batch < 9; batch++)
        {
            await recording.Append(Enumerable.Range(0, 57).Select(i => new OrbitGrains.Rooms.RecordingEntry(
                0, DateTimeOffset.UtcNow, "telemetry", "robot", $"{{\"n\":{batch * 57 + i + 1}}}")).ToArray());
        }

        var read = new List<OrbitGrains.Rooms.RecordingEntry>();
        long after = 0;
        while (true)
        {
            var page = await recording.Read(after, 100);
            read.AddRange(page.Entries);
            if (page.NextAfter is not { } next)
            {
                break;
            }

            after = next;
        }

        Assert.Equal(Enumerable.Range(1, 9 * 57).Select(n => (long)n), read.Select(e => e.Sequence));
        Assert.Equal(Enumerable.Range(1, 9 * 57).Select(n => $"{{\"n\":{n}}}"), read.Select(e => e.Frame));
    }

    [Fact]
    public async Task An_audit_log_longer_than_a_page_reads_back_complete_and_in_order()
    {
        var log = fixture.Host.Grains.GetGrain<OrbitGrains.Rooms.IAuditLogGrain>($"paging-{Guid.NewGuid():N}");
        for (var i = 1; i <= 450; i++)
        {
            Assert.Equal(i, await log.Append(new OrbitGrains.Rooms.AuditEntry(0, DateTimeOffset.UtcNow, "join", null, $"actor-{i}", "viewer", "127.0.0.1", null)));
        }

        var read = new List<OrbitGrains.Rooms.AuditEntry>();
        long after = 0;
        while (true)
        {
            var page = await log.Read(after, 130);
            Assert.True(page.Entries.Length <= 130);
            read.AddRange(page.Entries);
            if (page.NextAfter is not { } next)
            {
                break;
            }

            after = next;
        }

        Assert.Equal(Enumerable.Range(1, 450).Select(i => (long)i), read.Select(e => e.Sequence));
        Assert.Equal(Enumerable.Range(1, 450).Select(i => $"actor-{i}"), read.Select(e => e.Actor));
    }
}
