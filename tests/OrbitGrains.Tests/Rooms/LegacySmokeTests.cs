using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using OrbitGrains.Hosting;
using OrbitGrains.Rooms;

namespace OrbitGrains.Tests.Rooms;

/// <summary>
/// The original's clients against a real host in Development, where the original's demo token still works:
/// the compatibility smoke flow, the auth message, and bad tokens.
/// </summary>
public sealed class LegacySmokeTests : IAsyncLifetime
{
    private const string AdminToken = "legacy-admin-token-0123456789abcdefghijklmn";
    private readonly TempDirectory _data = new("legacy");
    private RunningHost _host = null!;

    public async Task InitializeAsync()
    {
        var configuration = RunningHost.IsolatedConfiguration(_data.Path, "legacy");
        configuration["ADMIN_TOKEN"] = AdminToken;
        // Failed authentications are audited per address per window; a one-second window keeps these tests quick.
        configuration["ROOM_AUTH_AUDIT_WINDOW_SEC"] = "1";
        _host = await RunningHost.StartFrontEndAsync(configuration, environment: "Development");
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task Two_clients_with_the_demo_token_exchange_a_message_and_the_first_frame_B_receives_is_As()
    {
        var room = _host.Grains.GetGrain<ISessionRoomGrain>(SessionRoomGrain.GlobalRoom);
        var before = (await room.Snapshot()).Participants.Select(p => p.Id).ToHashSet();
        await using var a = await OrbitSocket.ConnectAsync(_host.BaseAddress, "/ws?token=demo_token_123");
        await using var b = await OrbitSocket.ConnectAsync(_host.BaseAddress, "/ws?token=demo_token_123");
        // The original's clients send the auth message even with a query token: consumed, never relayed nor answered.
        await a.SendAsync(new { token = "demo_token_123" });
        await b.SendAsync(new { token = "demo_token_123" });
        // As the original's smoke test, wait until both are in the room; the room itself says nothing.
        await Eventually.TrueAsync(async () => (await room.Snapshot()).Participants.Count(p => !before.Contains(p.Id)) == 2, "both clients joined");

        var watch = Stopwatch.StartNew();
        await a.SendTextAsync("""{"type":"smoke","payload":{"n":1,"text":"hello"}}""");
        var got = await b.NextAsync(timeout: TimeSpan.FromSeconds(2));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"type":"smoke","payload":{"n":1,"text":"hello"}}"""), got), $"B's first frame is A's message, untouched: {got}");

        // B answers; A's first frame is B's message (no echo of its own, no joined, no participant_joined).
        await b.SendTextAsync("""{"type":"smoke","payload":{"n":2}}""");
        var atA = await a.NextAsync(timeout: TimeSpan.FromSeconds(2));
        Assert.Equal(2, (int)atA["payload"]!["n"]!);

        var health = (await _host.Http.GetFromJsonAsync<JsonObject>("/health"))!;
        Assert.True((long)health["active_connections"]! >= 2);
    }

    [Fact]
    public async Task Without_a_query_token_the_first_message_authenticates()
    {
        await using var listener = await LegacyRoom.ConnectAsync(_host.BaseAddress, "/ws?token=demo_token_123");
        await using var late = await OrbitSocket.ConnectAsync(_host.BaseAddress, "/ws");
        await late.SendAsync(new { token = "demo_token_123" });
        await late.SendTextAsync("""{"type":"smoke","payload":{}}""");
        await listener.NextOfTypeAsync("smoke");
    }

    [Theory]
    [InlineData("/ws?token=not-a-token")]
    [InlineData("/ws")]
    public async Task A_bad_token_is_accepted_then_closed_4401_and_audited_with_the_address(string path)
    {
        var before = (await AuditAsync()).Count;
        for (var attempt = 0; attempt < 5; attempt++)
        {
            await using var socket = await OrbitSocket.ConnectAsync(_host.BaseAddress, path);
            if (!path.Contains("token="))
            {
                await socket.SendAsync(new { token = "guessed" });
            }

            Assert.Equal("unauthorized", (string?)(await socket.NextOfTypeAsync("error"))["code"]);
            await socket.ClosedAsync();
            Assert.Equal((WebSocketCloseStatus)4401, socket.CloseStatus);
        }

        // Five failures are audited as counts per address and window, not as five entries.
        JsonArray entries = [];
        await Eventually.TrueAsync(async () =>
            (entries = await AuditAsync()).Skip(before).Where(e => (string?)e!["action"] == "auth_failed").Sum(CountOf) >= 5, "the failures are audited");
        var failed = entries.Skip(before).Where(e => (string?)e!["action"] == "auth_failed").ToArray();
        Assert.InRange(failed.Length, 1, 4);
        Assert.All(failed, e => Assert.Equal("127.0.0.1", (string?)e!["address"]));
        Assert.DoesNotContain("guessed", entries.ToJsonString());
        Assert.DoesNotContain("not-a-token", entries.ToJsonString());
    }

    private static int CountOf(JsonNode? entry) => int.Parse(((string)entry!["detail"]!).Split(' ')[0]);

    private async Task<JsonArray> AuditAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/admin/audit?log=global&limit=500");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        using var response = await _host.Http.SendAsync(request);
        return (JsonArray)(await response.Content.ReadFromJsonAsync<JsonObject>())!["entries"]!;
    }

    [Fact]
    public async Task A_first_message_that_is_not_an_auth_message_is_refused_4401()
    {
        await using var socket = await OrbitSocket.ConnectAsync(_host.BaseAddress, "/ws");
        await socket.SendTextAsync("""{"type":"smoke"}""");
        await socket.ClosedAsync();
        Assert.Equal((WebSocketCloseStatus)4401, socket.CloseStatus);
    }
}

/// <summary>AUTH_TOKENS outside Development: weak values stop the start; unset means no static tokens at all.</summary>
public sealed class RoomsConfigurationTests
{
    [Theory]
    [InlineData("demo_token_123")]
    [InlineData("strong-token-0123456789abcdefghijklmnopqrstuv,short")]
    public async Task Weak_static_tokens_are_refused_at_start_up_outside_development(string tokens)
    {
        using var data = new TempDirectory();
        var configuration = RunningHost.IsolatedConfiguration(data.Path, "rooms-config");
        configuration["AUTH_TOKENS"] = tokens;
        var error = await Assert.ThrowsAsync<OrbitConfigurationException>(() => RunningHost.StartFrontEndAsync(configuration));
        Assert.Contains("AUTH_TOKENS", error.Message);
        Assert.DoesNotContain("demo_token_123", error.Message);
    }

    [Fact]
    public async Task Unset_auth_tokens_outside_development_leave_the_demo_token_invalid()
    {
        using var data = new TempDirectory();
        await using var host = await RunningHost.StartFrontEndAsync(RunningHost.IsolatedConfiguration(data.Path, "rooms-config"));
        await using var socket = await OrbitSocket.ConnectAsync(host.BaseAddress, "/ws?token=demo_token_123");
        await socket.ClosedAsync();
        Assert.Equal((WebSocketCloseStatus)4401, socket.CloseStatus);
    }
}
