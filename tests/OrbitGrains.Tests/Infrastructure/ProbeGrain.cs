namespace OrbitGrains.Tests.Infrastructure;

/// <summary>A test-only grain with durable state, used to prove storage, durability and cross-silo calls.</summary>
[Alias("OrbitGrains.Tests.IProbeGrain")]
public interface IProbeGrain : IGrainWithStringKey
{
    [Alias("Set")]
    Task Set(string value);

    [Alias("Get")]
    Task<string?> Get();

    [Alias("Where")]
    Task<string> Where();

    [Alias("Clear")]
    Task Clear();
}

[GenerateSerializer, Alias("OrbitGrains.Tests.ProbeState")]
public sealed record ProbeState
{
    [Id(0)] public string? Value { get; set; }
    [Id(1)] public int Writes { get; set; }
}

// Random placement so that calls made through one silo demonstrably reach activations on others;
// Orleans' default placement prefers the calling silo when it has capacity.
[Orleans.Placement.RandomPlacement]
public sealed class ProbeGrain(
    [PersistentState("probe", OrbitGrains.Hosting.OrbitStorageNames.GrainState)] IPersistentState<ProbeState> state,
    ILocalSiloDetails silo) : Grain, IProbeGrain
{
    public async Task Set(string value)
    {
        state.State.Value = value;
        state.State.Writes++;
        await state.WriteStateAsync();
    }

    public Task<string?> Get() => Task.FromResult(state.State.Value);

    public Task<string> Where() => Task.FromResult(silo.SiloAddress.ToParsableString());

    public Task Clear() => state.ClearStateAsync();
}
