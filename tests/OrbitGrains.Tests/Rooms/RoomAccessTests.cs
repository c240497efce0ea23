using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OrbitGrains.Rooms;
using OrbitGrains.Tests.Accounts;

namespace OrbitGrains.Tests.Rooms;

/// <summary>
/// Who gets into a room, and with which role: a room token is never above its minter's own role, a person's operator
/// token is for a room they own, a scoped token is for its room only, and the creator owns the room.
/// </summary>
public sealed class RoomAccessTests : IAsyncLifetime
{
    private const string AdminToken = "room-access-admin-token-0123456789abcdefgh";
    private readonly TempDirectory _data = new("room-access");
    private RunningHost _host = null!;
    private AccountsApi _api = null!;
    private AdminApi _admin = null!;

    public async Task InitializeAsync()
    {
        var configuration = RunningHost.IsolatedConfiguration(_data.Path, "room-access");
        configuration["ADMIN_TOKEN"] = AdminToken;
        _host = await RunningHost.StartFrontEndAsync(configuration);
        _api = new AccountsApi(_host.Http);
        _admin = new AdminApi(_host.Http, AdminToken);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task A_member_watches_but_neither_creates_rooms_nor_obtains_tokens_above_viewer()
    {
        var member = await _api.RegisterAsync(AccountsApi.NewName("member"));
        var room = await CreateRoomAsync((await OperatorAsync()).Token);

        Assert.Equal(HttpStatusCode.Forbidden, (await PostAsync("/api/session", member.Token, new { name = "mine" })).Status);
        var (status, body) = await PostAsync("/api/login", member.Token, new { role = "operator", session_id = room });
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Equal("A room token above your own role is not issued.", (string?)body!["detail"]);
        Assert.Equal(HttpStatusCode.Forbidden, (await PostAsync("/api/login", member.Token, new { role = "robot" })).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await PostAsync("/api/login", member.Token, new { role = "admin" })).Status);

        var (viewerStatus, viewer) = await PostAsync("/api/login", member.Token, new { role = "viewer", session_id = room });
        Assert.Equal(HttpStatusCode.OK, viewerStatus);
        Assert.Equal(room, (string?)viewer!["session_id"]);
        await using var socket = await JoinAsync((string)viewer["token"]!, room);
        Assert.Equal("viewer", (string?)(await socket.NextOfTypeAsync("joined"))["role"]);
    }

    [Fact]
    public async Task The_creator_owns_the_room_and_hands_out_tokens_for_it_that_work_there_only()
    {
        var owner = await OperatorAsync();
        var room = await CreateRoomAsync(owner.Token);
        var elsewhere = await CreateRoomAsync(owner.Token);

        var rooms = await AccountsApi.ExpectJsonAsync(await _admin.SendAsync(HttpMethod.Get, "/api/admin/rooms"), HttpStatusCode.OK);
        Assert.NotNull(rooms);

        // Unscoped, a person's operator token is refused: it would open every room.
        Assert.Equal(HttpStatusCode.Forbidden, (await PostAsync("/api/login", owner.Token, new { role = "operator" })).Status);
        var (status, robot) = await PostAsync("/api/login", owner.Token, new { role = "robot", session_id = room, name = "arm" });
        Assert.Equal(HttpStatusCode.OK, status);
        var robotToken = (string)robot!["token"]!;

        await using (var inRoom = await JoinAsync(robotToken, room))
        {
            Assert.Equal("robot", (string?)(await inRoom.NextOfTypeAsync("joined"))["role"]);
        }

        await using (var wrongRoom = await JoinAsync(robotToken, elsewhere))
        {
            Assert.Equal("forbidden", (string?)(await wrongRoom.NextOfTypeAsync("error"))["code"]);
            await wrongRoom.ClosedAsync();
            Assert.Equal(RoomCloseCodes.Forbidden, (int?)wrongRoom.CloseStatus);
        }

        // Another operator may not mint operator tokens for a room they do not own (nor join it above viewer: see below).
        var stranger = await OperatorAsync();
        Assert.Equal(HttpStatusCode.Forbidden, (await PostAsync("/api/login", stranger.Token, new { role = "operator", session_id = room })).Status);
        // An admin may, for any room.
        var adminPerson = await _api.RegisterAsync(AccountsApi.NewName("admin"));
        await _admin.SetRolesAsync(adminPerson.UserId, "admin");
        Assert.Equal(HttpStatusCode.OK, (await PostAsync("/api/login", adminPerson.Token, new { role = "operator", session_id = room })).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await PostAsync("/api/login", adminPerson.Token, new { role = "viewer", session_id = "no-such-room" })).Status);
    }

    [Fact]
    public async Task A_non_owner_operators_own_token_watches_someone_elses_room_and_cannot_drive_its_robot()
    {
        var alice = await OperatorAsync();
        var bob = await OperatorAsync();
        var room = await CreateRoomAsync(alice.Token);
        var (robotStatus, robotLogin) = await PostAsync("/api/login", alice.Token, new { role = "robot", session_id = room, name = "arm" });
        Assert.Equal(HttpStatusCode.OK, robotStatus);
        await using var robot = await JoinAsync((string)robotLogin!["token"]!, room);
        await robot.NextOfTypeAsync("joined");

        // The same rule as /api/login, which refuses Bob an operator token for Alice's room: his own token only watches it.
        Assert.Equal(HttpStatusCode.Forbidden, (await PostAsync("/api/login", bob.Token, new { role = "operator", session_id = room })).Status);
        await using var bobSocket = await JoinAsync(bob.Token, room);
        Assert.Equal("viewer", (string?)(await bobSocket.NextOfTypeAsync("joined"))["role"]);
        await AssertCannotDriveAsync(bobSocket);

        // Nor by moving in with a join message from the legacy global room.
        await using var bobMoving = await OrbitSocket.ConnectAsync(_host.BaseAddress, $"/ws?token={Uri.EscapeDataString(bob.Token)}");
        await bobMoving.SendAsync(new { type = "join", session_id = room });
        Assert.Equal("viewer", (string?)(await bobMoving.NextOfTypeAsync("joined"))["role"]);
        await AssertCannotDriveAsync(bobMoving);

        // Alice's own token drives her room; the robot's first command or estop is hers, so none of Bob's got through.
        await using var aliceSocket = await JoinAsync(alice.Token, room);
        Assert.Equal("operator", (string?)(await aliceSocket.NextOfTypeAsync("joined"))["role"]);
        await aliceSocket.SendAsync(new { type = "control", action = "acquire" });
        await aliceSocket.NextAsync(f => (string?)f["type"] == "control" && f["holder"] is not null);
        await aliceSocket.SendAsync(new { type = "command", data = new { v = "alice" } });
        var first = await robot.NextAsync(f => (string?)f["type"] is "command" or "estop");
        Assert.Equal("command", (string?)first["type"]);
        Assert.Equal("alice", (string?)first["data"]!["v"]);
        Assert.Equal("operator", (string?)first["role"]);
    }

    /// <summary>Control, a command and an estop from <paramref name="socket"/> are each refused to it.</summary>
    private static async Task AssertCannotDriveAsync(OrbitSocket socket)
    {
        await socket.SendAsync(new { type = "control", action = "acquire" });
        Assert.Equal("forbidden", (string?)(await socket.NextOfTypeAsync("error"))["code"]);
        await socket.SendAsync(new { type = "command", data = new { v = "bob" } });
        Assert.Equal("control_required", (string?)(await socket.NextOfTypeAsync("error"))["code"]);
        await socket.SendAsync(new { type = "estop", reason = "not mine" });
        var refused = await socket.NextAsync(f => (string?)f["type"] is "error" or "estop_ack");
        Assert.Equal("forbidden", (string?)refused["code"]);
    }

    private async Task<Session> OperatorAsync()
    {
        var person = await _api.RegisterAsync(AccountsApi.NewName("operator"));
        await _admin.SetRolesAsync(person.UserId, "operator");
        return person;
    }

    private async Task<string> CreateRoomAsync(string bearer)
    {
        var (status, body) = await PostAsync("/api/session", bearer, new { name = "room" });
        Assert.Equal(HttpStatusCode.Created, status);
        return (string)body!["session_id"]!;
    }

    private Task<OrbitSocket> JoinAsync(string token, string room) =>
        OrbitSocket.ConnectAsync(_host.BaseAddress, $"/ws?token={Uri.EscapeDataString(token)}&session_id={room}");

    private async Task<(HttpStatusCode Status, JsonObject? Body)> PostAsync(string path, string bearer, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        using var response = await _host.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length > 0 ? JsonNode.Parse(text) as JsonObject : null);
    }
}
