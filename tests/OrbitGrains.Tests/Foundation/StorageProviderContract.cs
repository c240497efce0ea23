using Microsoft.Extensions.DependencyInjection;
using OrbitGrains.Hosting;
using CsCheck;
using Orleans.Storage;

namespace OrbitGrains.Tests.Foundation;

/// <summary>
/// What every grain storage provider the product runs on must do, tested by calling the provider itself
/// (resolved from a real silo) against its real store. Each store has a subclass.
/// </summary>
public abstract class StorageProviderContract : IAsyncLifetime
{
    private RunningHost? _silo;

    protected abstract Task<RunningHost> StartSiloAsync();

    public async Task InitializeAsync() => _silo = await StartSiloAsync();

    public async Task DisposeAsync()
    {
        if (_silo is not null)
        {
            await _silo.DisposeAsync();
        }
    }

    private IGrainStorage Storage => _silo!.Services.GetRequiredKeyedService<IGrainStorage>(OrbitStorageNames.GrainState);

    private static GrainId NewStringKeyGrain() => GrainId.Create("probe", $"user/{Guid.NewGuid():N}");

    [Fact]
    public async Task Written_state_reads_back_with_its_etag()
    {
        var grain = NewStringKeyGrain();
        var written = new GrainState<ProbeState>(new ProbeState { Value = "hello", Writes = 1 });
        await Storage.WriteStateAsync("probe", grain, written);

        var read = new GrainState<ProbeState>(new ProbeState());
        await Storage.ReadStateAsync("probe", grain, read);

        Assert.True(read.RecordExists);
        Assert.Equal("hello", read.State!.Value);
        Assert.Equal(1, read.State!.Writes);
        Assert.NotNull(written.ETag);
        Assert.Equal(written.ETag, read.ETag);
    }

    [Fact]
    public async Task Grains_with_different_key_kinds_keep_separate_state()
    {
        var byString = GrainId.Create("probe", "42");
        var byInteger = GrainId.Create(GrainType.Create("probe"), GrainIdKeyExtensions.CreateIntegerKey(42));
        var byGuid = GrainId.Create(GrainType.Create("probe"), GrainIdKeyExtensions.CreateGuidKey(Guid.NewGuid()));
        await Storage.WriteStateAsync("probe", byString, new GrainState<ProbeState>(new ProbeState { Value = "string" }));
        await Storage.WriteStateAsync("probe", byInteger, new GrainState<ProbeState>(new ProbeState { Value = "integer" }));
        await Storage.WriteStateAsync("probe", byGuid, new GrainState<ProbeState>(new ProbeState { Value = "guid" }));

        Assert.Equal("string", (await ReadAsync(byString)).State!.Value);
        Assert.Equal("integer", (await ReadAsync(byInteger)).State!.Value);
        Assert.Equal("guid", (await ReadAsync(byGuid)).State!.Value);
    }

    [Fact]
    public async Task Unknown_grain_reads_as_absent()
    {
        var read = await ReadAsync(NewStringKeyGrain());
        Assert.False(read.RecordExists);
        Assert.Null(read.ETag);
        Assert.Null(read.State!.Value);
    }

    [Fact]
    public async Task Write_with_a_stale_etag_is_refused_and_stored_state_is_kept()
    {
        var grain = NewStringKeyGrain();
        var first = new GrainState<ProbeState>(new ProbeState { Value = "v1" });
        await Storage.WriteStateAsync("probe", grain, first);
        var staleEtag = first.ETag;

        first.State = new ProbeState { Value = "v2" };
        await Storage.WriteStateAsync("probe", grain, first);
        Assert.NotEqual(staleEtag, first.ETag);

        var stale = new GrainState<ProbeState>(new ProbeState { Value = "lost update" }) { ETag = staleEtag, RecordExists = true };
        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteStateAsync("probe", grain, stale));

        var read = await ReadAsync(grain);
        Assert.Equal("v2", read.State!.Value);
        Assert.Equal(first.ETag, read.ETag);
    }

    [Fact]
    public async Task Of_two_concurrent_first_writes_exactly_one_wins()
    {
        var grain = NewStringKeyGrain();
        var attempts = Enumerable.Range(0, 2)
            .Select(i => new GrainState<ProbeState>(new ProbeState { Value = $"writer {i}" }))
            .ToList();

        var outcomes = await Task.WhenAll(attempts.Select(async attempt =>
        {
            try
            {
                await Storage.WriteStateAsync("probe", grain, attempt);
                return true;
            }
            catch (InconsistentStateException)
            {
                return false;
            }
        }));

        Assert.Single(outcomes, won => won);
        var winner = attempts[Array.IndexOf(outcomes, true)];
        Assert.Equal(winner.State!.Value, (await ReadAsync(grain)).State!.Value);
    }

    [Fact]
    public async Task Clear_empties_the_state_and_refuses_a_stale_etag()
    {
        var grain = NewStringKeyGrain();
        var state = new GrainState<ProbeState>(new ProbeState { Value = "to be cleared" });
        await Storage.WriteStateAsync("probe", grain, state);
        var beforeClear = state.ETag;

        var stale = new GrainState<ProbeState>(new ProbeState()) { ETag = "999", RecordExists = true };
        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.ClearStateAsync("probe", grain, stale));
        Assert.Equal("to be cleared", (await ReadAsync(grain)).State!.Value);

        await Storage.ClearStateAsync("probe", grain, state);
        Assert.NotEqual(beforeClear, state.ETag);

        var read = await ReadAsync(grain);
        Assert.Null(read.State!.Value);

        // The cleared grain can be written again from the etag the clear handed back.
        state.State = new ProbeState { Value = "again" };
        await Storage.WriteStateAsync("probe", grain, state);
        Assert.Equal("again", (await ReadAsync(grain)).State!.Value);
    }

    [Fact]
    public async Task Distinct_grain_keys_never_share_a_row_and_equal_keys_always_do()
    {
        // Two grain types with the same state name: the type is part of a row's identity too.
        GrainType[] types = [GrainType.Create("probe"), GrainType.Create("probe-twin")];
        await StorageKeyGen.Family.SampleAsync(async keys =>
        {
            var nonce = Guid.NewGuid().ToString("N");
            var grains = keys.SelectMany(key => types.Select(type => GrainId.Create(type, key))).ToList();
            foreach (var grain in grains)
            {
                // Read first: an earlier sample may have written the same key, and that row is this grain's too.
                var state = await ReadAsync(grain);
                state.State = new ProbeState { Value = $"{grain}|{nonce}" };
                await Storage.WriteStateAsync("probe", grain, state);
            }

            foreach (var grain in grains)
            {
                // A GrainId built again from the same text is the same grain, and reads what was written.
                var again = GrainId.Create(GrainType.Create(grain.Type.ToString()!), grain.Key.ToString()!);
                Assert.Equal($"{grain}|{nonce}", (await ReadAsync(again)).State!.Value);
            }
        }, iter: 40, threads: 1);
    }

    [Theory]
    [InlineData("020235", "20235")]
    [InlineData("cafe", "0cafe")]
    [InlineData("cafe", "CAFE")]
    [InlineData("0123456789abcdef0123456789abcdef", "0123456789ABCDEF0123456789ABCDEF")]
    [InlineData("7+x", "07+x")]
    public async Task Keys_of_the_public_report_keep_rows_of_their_own(string first, string second)
    {
        var nonce = Guid.NewGuid().ToString("N");
        GrainId One(string key) => GrainId.Create("probe", $"{key}");
        var a = await ReadAsync(One(first));
        a.State = new ProbeState { Value = $"{first}|{nonce}" };
        await Storage.WriteStateAsync("probe", One(first), a);
        var b = await ReadAsync(One(second));
        b.State = new ProbeState { Value = $"{second}|{nonce}" };
        await Storage.WriteStateAsync("probe", One(second), b);

        Assert.Equal($"{first}|{nonce}", (await ReadAsync(One(first))).State!.Value);
        Assert.Equal($"{second}|{nonce}", (await ReadAsync(One(second))).State!.Value);
    }

    [Fact]
    public async Task Keys_with_braces_are_written_and_read_every_time()
    {
        var grain = GrainId.Create("probe", $"t{{0}}-{Guid.NewGuid():N}");
        var state = new GrainState<ProbeState>(new ProbeState { Value = "first" });
        await Storage.WriteStateAsync("probe", grain, state);
        state.State = new ProbeState { Value = "second" };
        await Storage.WriteStateAsync("probe", grain, state);
        await Storage.ClearStateAsync("probe", grain, state);
        Assert.False((await ReadAsync(grain)).RecordExists);
    }

    private async Task<GrainState<ProbeState>> ReadAsync(GrainId grain)
    {
        var read = new GrainState<ProbeState>(new ProbeState());
        await Storage.ReadStateAsync("probe", grain, read);
        return read;
    }
}
