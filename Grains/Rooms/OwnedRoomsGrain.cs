using OrbitGrains.Hosting;

namespace OrbitGrains.Rooms;

[GenerateSerializer, Alias("OrbitGrains.Rooms.OwnedRoomsState")]
public sealed class OwnedRoomsState
{
    /// <summary>Newest first.</summary>
    [Id(0)] public List<OwnedRoom> Rooms { get; set; } = [];
}

/// <summary>One account's own rooms (see <see cref="IOwnedRoomsGrain"/>); durable, bounded.</summary>
public sealed class OwnedRoomsGrain(
    [PersistentState("ownedrooms", OrbitStorageNames.GrainState)] IPersistentState<OwnedRoomsState> state) : Grain, IOwnedRoomsGrain
{
    public async Task Add(OwnedRoom room)
    {
        if (state.State.Rooms.Any(r => r.SessionId == room.SessionId))
        {
            return;
        }

        state.State.Rooms.Insert(0, room);
        if (state.State.Rooms.Count > IOwnedRoomsGrain.MaxRooms)
        {
            state.State.Rooms.RemoveRange(IOwnedRoomsGrain.MaxRooms, state.State.Rooms.Count - IOwnedRoomsGrain.MaxRooms);
        }

        await state.WriteStateAsync();
    }

    public Task<OwnedRoom[]> List() => Task.FromResult(state.State.Rooms.ToArray());
}
