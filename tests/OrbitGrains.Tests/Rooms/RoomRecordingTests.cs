using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace OrbitGrains.Tests.Rooms;

/// <summary>Recording a room and replaying it, across a restart of the (embedded) silo.</summary>
public sealed class RoomRecordingTests
{
    private static async Task<JsonObject> AdminAsync(RunningHost host, HttpMethod method, string path, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", RoomsHostFixture.AdminToken);
        using var response = await host.Http.SendAsync(request);
        Assert.Equal(expected, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    [Fact]
    public async Task A_recording_replays_the_same_messages_in_the_same_order_after_a_silo_restart()
    {
        using var data = new TempDirectory("recording");
        var configuration = RoomsHostFixture.Configuration(data.Path, "recording");
        configuration["ROOM_MESSAGES_PER_SECOND"] = "1000";
        string session, recordingId;
        var sent = new List<JsonObject>();
        await using (var host = await RunningHost.StartFrontEndAsync(configuration))
        {
            session = await RoomsHostFixture.SessionAsync(host);
            await AdminAsync(host, HttpMethod.Post, $"/api/admin/rooms/{session}/recording/stop", HttpStatusCode.Conflict);
            recordingId = (string)(await AdminAsync(host, HttpMethod.Post, $"/api/admin/rooms/{session}/recording/start"))["recording_id"]!;

            await using var robot = await RoomsHostFixture.JoinAsync(host, session, "robot");
            await using var operatorPeer = await RoomsHostFixture.JoinAsync(host, session, "operator");
            await operatorPeer.Socket.SendAsync(new { type = "offer", sdp = "v=0 offer" });
            await robot.Socket.NextOfTypeAsync("offer");
            await robot.Socket.SendAsync(new { type = "answer", sdp = "v=0 answer", to = operatorPeer.Id });
            await operatorPeer.Socket.NextOfTypeAsync("answer");
            await robot.Socket.SendAsync(new { type = "ice", candidate = "candidate:1 1 udp 1 10.0.0.1 9 typ host" });
            await operatorPeer.Socket.NextOfTypeAsync("ice");
            // More than one page of telemetry, so the replay crosses sealed pages.
            for (var i = 0; i < 450; i++)
            {
                await robot.Socket.SendAsync(new { type = "telemetry", data = new { n = i } });
            }

            for (var i = 0; i < 450; i++)
            {
                sent.Add(await operatorPeer.Socket.NextOfTypeAsync("telemetry"));
            }

            await operatorPeer.Socket.SendAsync(new { type = "estop", reason = "end of test" });
            await operatorPeer.Socket.NextOfTypeAsync("estop_ack");
            await AdminAsync(host, HttpMethod.Post, $"/api/admin/rooms/{session}/recording/stop");
        }

        await using (var restarted = await RunningHost.StartFrontEndAsync(configuration))
        {
            var entries = new List<JsonObject>();
            long after = 0;
            while (true)
            {
                var page = await AdminAsync(restarted, HttpMethod.Get, $"/api/admin/recordings/{recordingId}?after={after}&limit=100");
                Assert.Equal(session, (string?)page["session_id"]);
                Assert.False((bool)page["active"]!);
                entries.AddRange(((JsonArray)page["entries"]!).Select(e => e!.AsObject()));
                if (page["next_after"] is null)
                {
                    break;
                }

                after = (long)page["next_after"]!;
            }

            Assert.Equal(Enumerable.Range(1, entries.Count).Select(i => (long)i), entries.Select(e => (long)e["seq"]!));
            var times = entries.Select(e => DateTimeOffset.Parse((string)e["at"]!)).ToList();
            Assert.Equal(times.OrderBy(t => t), times);
            var types = entries.Select(e => (string)e["type"]!).Where(t => t is not ("participant_joined" or "participant_left")).ToList();
            Assert.Equal(["offer", "answer", "ice", .. Enumerable.Repeat("telemetry", 450), "estop"], types);
            var telemetry = entries.Where(e => (string?)e["type"] == "telemetry").Select(e => JsonNode.Parse((string)e["frame"]!)!).ToList();
            Assert.Equal(sent.Count, telemetry.Count);
            for (var i = 0; i < sent.Count; i++)
            {
                Assert.True(JsonNode.DeepEquals(sent[i], telemetry[i]), $"telemetry {i} replays exactly as delivered");
            }

            var listed = await AdminAsync(restarted, HttpMethod.Get, $"/api/admin/rooms/{session}/recordings");
            Assert.Equal(recordingId, (string?)((JsonArray)listed["recordings"]!).Single());
            // The audit log is durable: the estop is still there, stored before it was acknowledged.
            var audit = await AdminAsync(restarted, HttpMethod.Get, $"/api/admin/audit?log={session}&limit=500");
            Assert.Contains((JsonArray)audit["entries"]!, e => (string?)e!["action"] == "estop" && (string?)e["role"] == "operator");
            // The room itself survived the restart.
            await using var back = await RoomsHostFixture.JoinAsync(restarted, session, "viewer");
            await AdminAsync(restarted, HttpMethod.Get, "/api/admin/recordings/rec-nothing", HttpStatusCode.NotFound);
        }
    }
}
