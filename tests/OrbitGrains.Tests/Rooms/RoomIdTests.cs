using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace OrbitGrains.Tests.Rooms;

/// <summary>
/// A session id has one spelling, the one POST /api/session issued. Another spelling of a live room (upper case) is an
/// unknown session everywhere, so it can never become a second, empty copy of the room that an estop would miss.
/// </summary>
[Collection(RoomsCollection.Name)]
public sealed class RoomIdTests(RoomsHostFixture fixture)
{
    [Fact]
    public async Task A_session_id_in_upper_case_is_an_unknown_session_on_connect_and_on_join()
    {
        var session = await fixture.SessionAsync();
        await using var robot = await fixture.JoinAsync(session, "robot");
        var token = await fixture.RoomTokenAsync("viewer");

        await using (var shouted = await OrbitSocket.ConnectAsync(fixture.Host.BaseAddress, $"/ws?token={token}&session_id={session.ToUpperInvariant()}"))
        {
            var error = await shouted.NextOfTypeAsync("error");
            Assert.Equal("unknown_session", (string?)error["code"]);
            await shouted.ClosedAsync();
            Assert.Equal(4404, (int?)shouted.CloseStatus);
        }

        await using var viewer = await fixture.JoinAsync(session, "viewer");
        await viewer.Socket.SendAsync(new { type = "join", session_id = session.ToUpperInvariant() });
        Assert.Equal("unknown_session", (string?)(await viewer.Socket.NextOfTypeAsync("error"))["code"]);

        // Still in the real room, which still has both participants.
        await viewer.Socket.SendAsync(new { type = "join", session_id = session });
        var joined = await viewer.Socket.NextOfTypeAsync("joined");
        Assert.Contains(((JsonArray)joined["participants"]!), p => (string?)p!["id"] == robot.Id);
    }

    [Fact]
    public async Task An_estop_on_another_spelling_is_404_and_the_estop_on_the_real_id_reaches_the_room_and_is_audited()
    {
        var session = await fixture.SessionAsync();
        await using var robot = await fixture.JoinAsync(session, "robot");

        using (var shouted = await EstopAsync(session.ToUpperInvariant()))
        {
            Assert.Equal(HttpStatusCode.NotFound, shouted.StatusCode);
            Assert.False(string.IsNullOrWhiteSpace((string?)(await shouted.Content.ReadFromJsonAsync<JsonObject>())!["detail"]));
        }

        using (var real = await EstopAsync(session))
        {
            Assert.Equal(HttpStatusCode.OK, real.StatusCode);
            Assert.Equal(1, (int)(await real.Content.ReadFromJsonAsync<JsonObject>())!["delivered"]!);
        }

        Assert.Equal("estop", (string?)(await robot.Socket.NextOfTypeAsync("estop"))["type"]);
        Assert.Single(await fixture.AuditAsync(session), e => (string?)e!["action"] == "estop");
    }

    private async Task<HttpResponseMessage> EstopAsync(string session)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/admin/rooms/{session}/estop") { Content = JsonContent.Create(new { reason = "drill" }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", RoomsHostFixture.AdminToken);
        return await fixture.Host.Http.SendAsync(request);
    }
}
