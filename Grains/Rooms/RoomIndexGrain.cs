using OrbitGrains.Hosting;

namespace OrbitGrains.Rooms;

[GenerateSerializer, Alias("OrbitGrains.Rooms.RoomIndexState")]
public sealed class RoomIndexState
{
    [Id(0)] public Dictionary<string, int> Rooms { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>The rooms that had participants when they last reported; durable so a restart does not hide a busy room.</summary>
public sealed class RoomIndexGrain(
    [PersistentState("roomindex", OrbitStorageNames.GrainState)] IPersistentState<RoomIndexState> state) : Grain, IRoomIndexGrain
{
    public async Task Report(string sessionId, int participants)
    {
        var changed = participants > 0 ? state.State.Rooms.TryAdd(sessionId, participants) : state.State.Rooms.Remove(sessionId);
        if (participants > 0)
        {
            state.State.Rooms[sessionId] = participants;
        }

        if (changed)
        {
            await state.WriteStateAsync();
        }
    }

    public Task<ActiveRoom[]> Active() =>
        Task.FromResult(state.State.Rooms.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => new ActiveRoom(r.Key, r.Value)).ToArray());
}
