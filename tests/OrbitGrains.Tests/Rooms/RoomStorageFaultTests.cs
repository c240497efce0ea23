using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace OrbitGrains.Tests.Rooms;

/// <summary>
/// Storage that fails under the room, injected in a real PostgreSQL (<see cref="PostgresWriteFaults"/>): an estop's
/// audit entry survives failed writes and is stored once, and a recording batch whose write failed is stored once
/// when the room hands it over again. Memory stays as storage has it after each failure (issue 12, "History").
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class RoomStorageFaultTests(PostgresServer server)
{
    private async Task<(RunningHost Host, string Database)> StartAsync(string dataDir, string name)
    {
        var database = await server.CreateDatabaseAsync(name);
        var configuration = RoomsHostFixture.Configuration(dataDir, name);
        configuration["ORLEANS_CLUSTERING"] = "postgres";
        configuration["ConnectionStrings:Postgres"] = database;
        configuration["ROOM_MESSAGES_PER_SECOND"] = "1000";
        return (await RunningHost.StartFrontEndAsync(configuration), database);
    }

    [Fact]
    public async Task An_estop_whose_audit_writes_fail_twice_is_delivered_acknowledged_and_audited_once()
    {
        using var data = new TempDirectory("estop-fault");
        var (host, database) = await StartAsync(data.Path, "estopfault");
        await using var _ = host;
        var session = await RoomsHostFixture.SessionAsync(host);
        await using var robot = await RoomsHostFixture.JoinAsync(host, session, "robot");
        await using var operatorPeer = await RoomsHostFixture.JoinAsync(host, session, "operator");
        var before = await AuditAsync(host, session);

        var faults = await PostgresWriteFaults.InstallAsync(database, "audit:%");
        await faults.FailNextAsync(2);
        await operatorPeer.Socket.SendAsync(new { type = "estop", reason = "storage trouble" });

        // The robot stops at once, whatever the store does.
        Assert.Equal("storage trouble", (string?)(await robot.Socket.NextOfTypeAsync("estop"))["reason"]);
        var ack = await operatorPeer.Socket.NextOfTypeAsync("estop_ack");
        Assert.Equal(3, await faults.AttemptsAsync());

        var after = await AuditAsync(host, session);
        var added = after.Skip(before.Count).ToList();
        var estop = Assert.Single(added);
        Assert.Equal("estop", (string?)estop["action"]);
        Assert.Contains("storage trouble", (string?)estop["detail"]);
        Assert.Equal((long)ack["audit_sequence"]!, (long)estop["seq"]!);
        Assert.Equal(Enumerable.Range(1, after.Count).Select(i => (long)i), after.Select(e => (long)e["seq"]!));
    }

    [Fact]
    public async Task A_recording_batch_whose_write_failed_is_stored_once_in_order()
    {
        using var data = new TempDirectory("recording-fault");
        var (host, database) = await StartAsync(data.Path, "recordingfault");
        await using var _ = host;
        var session = await RoomsHostFixture.SessionAsync(host);
        var recordingId = (string)(await AdminAsync(host, HttpMethod.Post, $"/api/admin/rooms/{session}/recording/start"))["recording_id"]!;
        await using var robot = await RoomsHostFixture.JoinAsync(host, session, "robot");
        await using var operatorPeer = await RoomsHostFixture.JoinAsync(host, session, "operator");

        var faults = await PostgresWriteFaults.InstallAsync(database, "recording:%");
        await faults.FailNextAsync(1);
        for (var i = 0; i < 30; i++)
        {
            await robot.Socket.SendAsync(new { type = "telemetry", data = new { n = i } });
        }

        for (var i = 0; i < 30; i++)
        {
            await operatorPeer.Socket.NextOfTypeAsync("telemetry");
        }

        // The failed write happened, and a later one got through (the stop flushes what is left).
        await Eventually.TrueAsync(async () => await faults.AttemptsAsync() >= 2, "a recording write failed and another was attempted");
        await AdminAsync(host, HttpMethod.Post, $"/api/admin/rooms/{session}/recording/stop");

        var page = await AdminAsync(host, HttpMethod.Get, $"/api/admin/recordings/{recordingId}?after=0&limit=500");
        var entries = ((JsonArray)page["entries"]!).Select(e => e!.AsObject()).ToList();
        Assert.Equal(Enumerable.Range(1, entries.Count).Select(i => (long)i), entries.Select(e => (long)e["seq"]!));
        var telemetry = entries.Where(e => (string?)e["type"] == "telemetry")
            .Select(e => (int)JsonNode.Parse((string)e["frame"]!)!["data"]!["n"]!).ToList();
        Assert.Equal(Enumerable.Range(0, 30), telemetry);
    }

    private static async Task<List<JsonObject>> AuditAsync(RunningHost host, string session) =>
        ((JsonArray)(await AdminAsync(host, HttpMethod.Get, $"/api/admin/audit?log={session}&limit=500"))["entries"]!)
            .Select(e => e!.AsObject()).ToList();

    private static async Task<JsonObject> AdminAsync(RunningHost host, HttpMethod method, string path)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", RoomsHostFixture.AdminToken);
        using var response = await host.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }
}
