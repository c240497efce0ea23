using CsCheck;
using Microsoft.Extensions.DependencyInjection;

namespace OrbitGrains.Tests.Foundation;

/// <summary>What the reminder table must do on every store, called directly on the provider of a real silo.</summary>
public abstract class ReminderTableContract : IAsyncLifetime
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

    private IReminderTable Table => _silo!.Services.GetRequiredService<IReminderTable>();

    private static GrainId NewGrain() => GrainId.Create("probe", Guid.NewGuid().ToString("N"));

    private static ReminderEntry Entry(GrainId grain, string name, int periodMinutes = 5) => new()
    {
        GrainId = grain,
        ReminderName = name,
        StartAt = new DateTime(2026, 11, 23, 10, 0, 0, DateTimeKind.Utc),
        Period = TimeSpan.FromMinutes(periodMinutes),
    };

    [Fact]
    public async Task Registered_reminder_reads_back_and_reregistering_changes_its_etag()
    {
        var grain = NewGrain();
        var firstEtag = await Table.UpsertRow(Entry(grain, "auto-approve"));

        var row = await Table.ReadRow(grain, "auto-approve");
        Assert.NotNull(row);
        Assert.Equal(grain, row.GrainId);
        Assert.Equal(TimeSpan.FromMinutes(5), row.Period);
        Assert.Equal(new DateTime(2026, 11, 23, 10, 0, 0, DateTimeKind.Utc).Ticks, row.StartAt.Ticks);
        Assert.Equal(firstEtag, row.ETag);

        var secondEtag = await Table.UpsertRow(Entry(grain, "auto-approve", periodMinutes: 10));
        Assert.NotEqual(firstEtag, secondEtag);
        Assert.Equal(TimeSpan.FromMinutes(10), (await Table.ReadRow(grain, "auto-approve"))!.Period);
    }

    [Fact]
    public async Task Reading_a_grain_returns_all_its_reminders_and_only_its_own()
    {
        var grain = NewGrain();
        await Table.UpsertRow(Entry(grain, "a"));
        await Table.UpsertRow(Entry(grain, "b"));
        await Table.UpsertRow(Entry(NewGrain(), "a"));

        var rows = await Table.ReadRows(grain);
        Assert.Equal(["a", "b"], rows.Reminders.Select(r => r.ReminderName).Order());
    }

    [Fact]
    public async Task Range_reads_honour_plain_and_wrapped_ranges()
    {
        var grains = Enumerable.Range(0, 8).Select(_ => NewGrain()).ToList();
        foreach (var grain in grains)
        {
            await Table.UpsertRow(Entry(grain, "range"));
        }

        // The provider compares hashes as signed integers: begin exclusive, end inclusive.
        var byHash = grains.OrderBy(g => (int)g.GetUniformHashCode()).ToList();
        uint HashAt(int i) => byHash[i].GetUniformHashCode();

        var plain = await Table.ReadRows(HashAt(1), HashAt(4));
        Assert.Equal(byHash.Skip(2).Take(3).ToHashSet(), Ours(plain, grains));

        var wrapped = await Table.ReadRows(HashAt(5), HashAt(1));
        Assert.Equal(byHash.Skip(6).Concat(byHash.Take(2)).ToHashSet(), Ours(wrapped, grains));
    }

    [Fact]
    public async Task Delete_needs_the_current_etag()
    {
        var grain = NewGrain();
        var etag = await Table.UpsertRow(Entry(grain, "timeout")) ?? throw new InvalidOperationException("no etag");

        Assert.False(await Table.RemoveRow(grain, "timeout", (int.Parse(etag) + 7).ToString()));
        Assert.NotNull(await Table.ReadRow(grain, "timeout"));

        Assert.True(await Table.RemoveRow(grain, "timeout", etag));
        Assert.Null(await Table.ReadRow(grain, "timeout"));
        Assert.False(await Table.RemoveRow(grain, "timeout", etag));
    }

    [Fact]
    public async Task Distinct_grain_keys_never_share_reminders_and_equal_keys_always_do()
    {
        await StorageKeyGen.Family.SampleAsync(async keys =>
        {
            var name = $"r-{Guid.NewGuid():N}";
            // The reminder table keeps GrainId.ToString() whole, in a column of 1,024 characters on PostgreSQL.
            var grains = keys.Where(key => key.Length < 1000).Select(key => GrainId.Create("probe", key)).ToList();
            foreach (var grain in grains)
            {
                await Table.UpsertRow(Entry(grain, name));
            }

            foreach (var grain in grains)
            {
                var rows = await Table.ReadRows(GrainId.Create("probe", grain.Key.ToString()!));
                Assert.Equal(grain, Assert.Single(rows.Reminders, r => r.ReminderName == name).GrainId);
            }
        }, iter: 25, threads: 1);
    }

    private static HashSet<GrainId> Ours(ReminderTableData data, List<GrainId> grains) =>
        data.Reminders.Select(r => r.GrainId).Where(grains.Contains).ToHashSet();
}
