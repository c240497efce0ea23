using Microsoft.Extensions.DependencyInjection;

namespace OrbitGrains.Tests.Rooms;

/// <summary>One room whose participants are connected to different front-end silos of a PostgreSQL cluster.</summary>
[Collection(PostgresCollection.Name)]
public sealed class RoomClusterTests(PostgresServer server)
{
    private static Task<RunningHost> FrontEndAsync(string dataDir, string database)
    {
        var configuration = RoomsHostFixture.Configuration(dataDir, "rooms-cluster");
        configuration["ORLEANS_CLUSTERING"] = "postgres";
        configuration["ConnectionStrings:Postgres"] = database;
        configuration["ROOM_HUB_LEASE_SEC"] = "2";
        return RunningHost.StartFrontEndAsync(configuration);
    }

    [Fact]
    public async Task Participants_on_two_silos_share_a_room_and_a_dead_silo_leaves_it()
    {
        using var data1 = new TempDirectory();
        using var data2 = new TempDirectory();
        var database = await server.CreateDatabaseAsync("rooms");
        var robotSilo = await FrontEndAsync(data1.Path, database);
        await using var operatorSilo = await FrontEndAsync(data2.Path, database);
        await Eventually.TrueAsync(() => operatorSilo.Services.GetRequiredService<OrbitGrains.Hosting.SiloReadiness>().ActiveSilos == 2, "two silos");

        var session = await RoomsHostFixture.SessionAsync(operatorSilo);
        await using var viewer = await RoomsHostFixture.JoinAsync(operatorSilo, session, "viewer");
        var robot = await RoomsHostFixture.JoinAsync(robotSilo, session, "robot");
        await using var operatorPeer = await RoomsHostFixture.JoinAsync(operatorSilo, session, "operator");
        Assert.Contains(((System.Text.Json.Nodes.JsonArray)operatorPeer.Joined["participants"]!), p => (string?)p!["id"] == robot.Id);

        await robot.Socket.SendAsync(new { type = "telemetry", data = new { battery = 0.5 } });
        Assert.Equal(robot.Id, (string?)(await operatorPeer.Socket.NextOfTypeAsync("telemetry"))["from"]);
        Assert.Equal(robot.Id, (string?)(await viewer.Socket.NextOfTypeAsync("telemetry"))["from"]);

        await operatorPeer.Socket.SendAsync(new { type = "offer", sdp = "v=0", to = robot.Id });
        Assert.Equal(operatorPeer.Id, (string?)(await robot.Socket.NextOfTypeAsync("offer"))["from"]);
        Assert.DoesNotContain(await viewer.Socket.DrainAsync(TimeSpan.FromMilliseconds(300)), f => (string?)f["type"] == "offer");

        await operatorPeer.Socket.SendAsync(new { type = "estop", reason = "cross-silo" });
        Assert.Equal("cross-silo", (string?)(await robot.Socket.NextOfTypeAsync("estop"))["reason"]);
        await viewer.Socket.NextOfTypeAsync("estop");

        // The robot's silo goes away: the room forgets its participant within the lease.
        await robotSilo.DisposeAsync();
        Assert.Equal(robot.Id, (string?)(await operatorPeer.Socket.NextAsync(f => (string?)f["type"] == "participant_left", TimeSpan.FromSeconds(20)))["participant_id"]);
        await robot.DisposeAsync();
    }
}
