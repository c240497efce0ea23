using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace OrbitGrains.Tests.Hosting;

/// <summary>
/// The well-behaved side of the fuzz test: user A's web session, relay client and anchor, a room with an operator and
/// a viewer, and a job. None of their credentials is handed to the fuzzer, which signs in as A on a second session (so
/// its input arrives "as the same user") and as B. After every batch of fuzz input they must all still work.
/// </summary>
public sealed class FuzzActors : IAsyncDisposable
{
    private readonly SemaphoreSlim _checking = new(1, 1);
    private int _round;

    private FuzzActors(InputHostFixture fixture) => Fixture = fixture;

    public InputHostFixture Fixture { get; }

    /// <summary>User A's own session: never given to the fuzzer.</summary>
    public string WebToken { get; private set; } = "";

    public OrbitSocket Client { get; private set; } = null!;

    public OrbitSocket Anchor { get; private set; } = null!;

    public string AnchorId { get; } = $"wb-anchor-{Guid.NewGuid():N}";

    public string SessionId { get; private set; } = "";

    public OrbitSocket Operator { get; private set; } = null!;

    public OrbitSocket Viewer { get; private set; } = null!;

    public string JobId { get; private set; } = "";

    /// <summary>Credentials the fuzzer may use: A's second session and its anchor token, B's session, and garbage.</summary>
    public FuzzCredentials Fuzzer { get; private set; } = null!;

    public static async Task<FuzzActors> StartAsync(InputHostFixture fixture)
    {
        var actors = new FuzzActors(fixture);
        var name = $"fuzz-a-{Guid.NewGuid():N}"[..20];
        var password = "fuzz-password-123";
        actors.WebToken = (string)(await actors.PostAsync("/auth/register/basic", new { name, password }))["token"]!;
        var second = await actors.PostAsync("/auth/login/basic", new { username = name, password });
        var other = await actors.PostAsync("/auth/register/basic", new { name = $"fuzz-b-{Guid.NewGuid():N}"[..20] });

        actors.Client = await OrbitSocket.ConnectAsync(fixture.Host.BaseAddress, $"/ws/client?token={actors.WebToken}&clientId=wb");
        await actors.Client.NextOfTypeAsync("orbit.hello");
        actors.Anchor = await OrbitSocket.ConnectAsync(fixture.Host.BaseAddress, $"/ws/anchor?token={await actors.AnchorTokenAsync(actors.WebToken)}");
        await actors.Anchor.NextOfTypeAsync("orbit.hello");
        await actors.Anchor.SendAsync(new { type = "anchor.hello", anchorId = actors.AnchorId, hostname = "wb.local", platform = "linux" });
        await actors.Client.NextAsync(f => Text(f["type"]) == "orbit.anchor-connected" && Text(f["anchor"]?["id"]) == actors.AnchorId);

        actors.SessionId = (string)(await actors.PostAsync("/api/session", new { name = "fuzz room" }, InputHostFixture.RoomsToken))["session_id"]!;
        actors.Operator = await actors.JoinAsync("operator");
        actors.Viewer = await actors.JoinAsync("viewer");

        actors.JobId = (string)(await actors.PostAsync("/api/v1/jobs", new { slug = "fuzz", intent = "stay readable" }, InputHostFixture.AdminToken))["id"]!;
        actors.Fuzzer = new FuzzCredentials(
            (string)second["token"]!, (string)second["refreshToken"]!, await actors.AnchorTokenAsync((string)second["token"]!),
            (string)other["token"]!, actors.SessionId, actors.JobId, await actors.RoomTokenAsync("operator"));
        return actors;
    }

    /// <summary>Every well-behaved client does one thing and sees it work (one check at a time: they share the sockets).</summary>
    public async Task CheckAsync(string after)
    {
        await _checking.WaitAsync();
        try
        {
            await CheckOnceAsync(after);
        }
        finally
        {
            _checking.Release();
        }
    }

    private async Task CheckOnceAsync(string after)
    {
        var round = ++_round;
        using (var session = await Send(HttpMethod.Get, "/auth/session", null, WebToken))
        {
            Assert.True((bool)(await session.Content.ReadFromJsonAsync<JsonObject>())!["authenticated"]!, $"A's web session ended after {after}");
        }

        var requestId = $"wb-{round}";
        await Client.SendAsync(new { id = requestId, method = "thread/list", @params = new { anchorId = AnchorId } });
        await Anchor.NextAsync(f => Text(f["id"]) == requestId && f["method"] is not null);
        await Anchor.SendAsync(new { id = requestId, result = new { round } });
        await Client.NextAsync(f => Text(f["id"]) == requestId && f["result"]?["round"]?.ToJsonString() == round.ToString());

        await Operator.SendAsync(new { type = "telemetry", data = new { round } });
        await Viewer.NextAsync(f => Text(f["type"]) == "telemetry" && f["data"]?["round"]?.ToJsonString() == round.ToString());

        using var job = await Send(HttpMethod.Get, $"/api/v1/jobs/{JobId}", null, InputHostFixture.AdminToken);
        Assert.True(job.StatusCode == HttpStatusCode.OK, $"the job was not readable after {after}: {(int)job.StatusCode}");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var socket in new[] { Client, Anchor, Operator, Viewer })
        {
            if (socket is not null)
            {
                await socket.DisposeAsync();
            }
        }
    }

    /// <summary>A string member, or null for anything else: the frames around these carry whatever the fuzzer sent.</summary>
    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private async Task<OrbitSocket> JoinAsync(string role)
    {
        var socket = await OrbitSocket.ConnectAsync(Fixture.Host.BaseAddress, $"/ws?token={await RoomTokenAsync(role)}&session_id={SessionId}");
        await socket.NextOfTypeAsync("joined");
        return socket;
    }

    private async Task<string> RoomTokenAsync(string role) =>
        (string)(await PostAsync("/api/login", new { role, name = $"wb-{role}" }, InputHostFixture.RoomsToken))["token"]!;

    private async Task<string> AnchorTokenAsync(string webToken)
    {
        var code = await PostAsync("/auth/device/code", new { });
        await PostAsync("/auth/device/authorise", new { userCode = (string)code["userCode"]! }, webToken);
        return (string)(await PostAsync("/auth/device/token", new { deviceCode = (string)code["deviceCode"]! }))["anchorAccessToken"]!;
    }

    private async Task<JsonObject> PostAsync(string path, object body, string? bearer = null)
    {
        using var response = await Send(HttpMethod.Post, path, JsonContent.Create(body), bearer);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    private Task<HttpResponseMessage> Send(HttpMethod method, string path, HttpContent? content, string? bearer)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        return Fixture.Host.Http.SendAsync(request);
    }
}

/// <summary>What the fuzzer signs in with: user A's second session and anchor, user B, a room operator, and the ids to aim at.</summary>
public sealed record FuzzCredentials(
    string WebToken, string RefreshToken, string AnchorToken, string OtherUserToken, string SessionId, string JobId, string RoomToken)
{
    public IReadOnlyList<string?> Bearers => [null, WebToken, AnchorToken, OtherUserToken, RoomToken, InputHostFixture.AdminToken,
        InputHostFixture.RoomsToken, "garbage", WebToken + "x", new string('a', 9000)];

    public IReadOnlyList<string> Ids => [SessionId, JobId, "rec-" + SessionId, "global"];
}
