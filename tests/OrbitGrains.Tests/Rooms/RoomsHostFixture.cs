using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace OrbitGrains.Tests.Rooms;

/// <summary>
/// One real front end (Production environment, strong secrets) shared by the rooms tests; each test creates its
/// own sessions, so tests never meet. Limits are lowered so the limit tests stay quick.
/// </summary>
public sealed class RoomsHostFixture : IAsyncLifetime
{
    public const string StaticToken = "rooms-static-token-0123456789abcdefghijklmnop";
    public const string AdminToken = "rooms-admin-token-0123456789abcdefghijklmnopq";
    public const string JwtSecret = "rooms-jwt-secret-0123456789abcdefghijklmnopqrs";
    public const string TurnSecret = "rooms-turn-secret-0123456789";
    public const string TurnUrl = "turn:turn.example.test:3478?transport=udp";
    public const int MaxMessageBytes = 8192;
    public const int MessagesPerSecond = 40;

    private readonly TempDirectory _data = new("rooms");

    public RunningHost Host { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Host = await RunningHost.StartFrontEndAsync(Configuration(_data.Path, "rooms"));
    }

    public static Dictionary<string, string?> Configuration(string dataDir, string serviceId)
    {
        var configuration = RunningHost.IsolatedConfiguration(dataDir, serviceId);
        configuration["AUTH_TOKENS"] = StaticToken;
        configuration["ADMIN_TOKEN"] = AdminToken;
        configuration["CODEX_REMOTE_WEB_JWT_SECRET"] = JwtSecret;
        configuration["TURN_URL"] = TurnUrl;
        configuration["TURN_SECRET"] = TurnSecret;
        configuration["TURN_TTL_SEC"] = "600";
        configuration["ROOM_MAX_MESSAGE_BYTES"] = MaxMessageBytes.ToString();
        configuration["ROOM_MESSAGES_PER_SECOND"] = MessagesPerSecond.ToString();
        // Every test socket comes from 127.0.0.1; the shared limits have their own tests.
        configuration["ROOM_CONNECTS_PER_SECOND_PER_ADDRESS"] = "100000";
        configuration["ROOM_MESSAGES_PER_SECOND_PER_ADDRESS"] = "100000";
        configuration["ROOM_MESSAGES_PER_SECOND_PER_TOKEN"] = "100000";
        return configuration;
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        _data.Dispose();
    }

    public Task<string> SessionAsync() => SessionAsync(Host);

    /// <param name="bearer">Who creates the room: the fixture's static token unless given.</param>
    public static async Task<string> SessionAsync(RunningHost host, string bearer = StaticToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/session") { Content = JsonContent.Create(new { name = "test room" }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        using var response = await host.Http.SendAsync(request);
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonObject>();
        return (string)body!["session_id"]!;
    }

    public Task<string> RoomTokenAsync(string role, string? name = null) => RoomTokenAsync(Host, role, name);

    public static async Task<string> RoomTokenAsync(RunningHost host, string role, string? name = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/login") { Content = JsonContent.Create(new { role, name }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", role == "admin" ? AdminToken : StaticToken);
        using var response = await host.Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["token"]!;
    }

    /// <summary>A participant that joined: the socket and its participant id.</summary>
    public sealed record Peer(OrbitSocket Socket, string Id, JsonObject Joined) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Socket.DisposeAsync();
    }

    public Task<Peer> JoinAsync(string sessionId, string role, string? name = null) => JoinAsync(Host, sessionId, role, name);

    public static async Task<Peer> JoinAsync(RunningHost host, string sessionId, string role, string? name = null)
    {
        var token = await RoomTokenAsync(host, role, name ?? role);
        var socket = await OrbitSocket.ConnectAsync(host.BaseAddress, $"/ws?token={Uri.EscapeDataString(token)}&session_id={sessionId}");
        var joined = await socket.NextOfTypeAsync("joined");
        Assert.Equal(sessionId, (string?)joined["session_id"]);
        Assert.Equal(role, (string?)joined["role"]);
        return new Peer(socket, (string)joined["participant_id"]!, joined);
    }

    public async Task<JsonObject> AdminGetAsync(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        using var response = await Host.Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    public async Task<JsonArray> AuditAsync(string log)
    {
        var page = await AdminGetAsync($"/api/admin/audit?log={log}&limit=500");
        return (JsonArray)page["entries"]!;
    }
}

[CollectionDefinition(Name)]
public sealed class RoomsCollection : ICollectionFixture<RoomsHostFixture>
{
    public const string Name = "Rooms host";
}
