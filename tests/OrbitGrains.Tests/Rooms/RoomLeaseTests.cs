using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Concurrency;
using OrbitGrains.Rooms;

namespace OrbitGrains.Tests.Rooms;

/// <summary>Presence is held on leases: sockets a room does not know are told to rejoin, and a silent hub's participants leave.</summary>
[Collection(RoomsCollection.Name)]
public sealed class RoomLeaseTests(RoomsHostFixture fixture)
{
    [Fact]
    public async Task A_hub_that_stops_renewing_loses_its_participants_and_unknown_sockets_are_told_to_rejoin()
    {
        var session = await fixture.SessionAsync();
        await using var watcher = await fixture.JoinAsync(session, "operator");
        var room = fixture.Host.Grains.GetGrain<ISessionRoomGrain>(session);
        var hub = new RecordingHub();
        var reference = fixture.Host.Services.GetRequiredService<IGrainFactory>().CreateObjectReference<IRoomHub>(hub);

        await room.Join(new RoomParticipant("p-ghost", "ghost", RoomRole.Robot, "vanishing-hub", "10.9.9.9"), reference);
        Assert.Equal("p-ghost", (string?)(await watcher.Socket.NextOfTypeAsync("participant_joined"))["participant"]!["id"]);
        await room.RenewHub("vanishing-hub", reference, TimeSpan.FromSeconds(2), ["p-ghost", "p-forgotten"]);
        await Eventually.TrueAsync(() => hub.Closed.ContainsKey("p-forgotten"), "the unknown socket is closed");
        Assert.Equal(RoomCloseCodes.ServiceRestart, hub.Closed["p-forgotten"]);
        Assert.False(hub.Closed.ContainsKey("p-ghost"));

        var started = DateTime.UtcNow;
        var left = await watcher.Socket.NextAsync(f => (string?)f["type"] == "participant_left", TimeSpan.FromSeconds(10));
        Assert.Equal("p-ghost", (string?)left["participant_id"]);
        Assert.Equal("connection_lost", (string?)left["reason"]);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(6), "dropped within about two leases");
        Assert.DoesNotContain((await room.Snapshot()).Participants, p => p.Id == "p-ghost");
    }

    private sealed class RecordingHub : IRoomHub
    {
        public ConcurrentDictionary<string, int> Closed { get; } = new();

        public Task Deliver(string roomId, Immutable<string[]> connectionIds, string? exceptConnectionId, string frame) => Task.CompletedTask;

        public Task Close(string connectionId, int closeStatus, string reason)
        {
            Closed[connectionId] = closeStatus;
            return Task.CompletedTask;
        }
    }
}
