using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using OrbitGrains.Hosting;
using OrbitGrains.Telemetry;
using Orleans.Storage;

namespace OrbitGrains.Tests.Storage;

/// <summary>
/// The embedded mode's group commit (<see cref="SqliteGroupCommit"/>) in a real embedded host: writes of many grains
/// share transactions and survive a restart; each write keeps its own version check and its own failure; a group
/// whose commit fails fails all its callers and stores nothing.
/// </summary>
public sealed class GroupCommitTests : IDisposable
{
    private const string StateName = "probe";
    private readonly TempDirectory _data = new("orbit-group-commit");

    [Fact]
    public async Task Many_grains_writing_at_once_share_transactions_and_every_write_reads_back_after_a_restart()
    {
        var configuration = RunningHost.IsolatedConfiguration(_data.Path, $"group-{Guid.NewGuid():N}");
        var groups = new ConcurrentQueue<int>();
        var round = 0;
        await using (var host = await RunningHost.StartFrontEndAsync(configuration))
        {
            using var listener = GroupSizes(host, groups);
            // One round is nearly always enough; more rounds only guard against a machine so idle that every write
            // commits before the next one arrives.
            await Eventually.TrueAsync(async () =>
            {
                round++;
                await Task.WhenAll(Enumerable.Range(0, 200).Select(i => host.Grains.GetGrain<IProbeGrain>($"group/{i}").Set($"r{round}-{i}")));
                return groups.Any(size => size > 1);
            }, "writes of concurrent grains share a transaction", TimeSpan.FromMinutes(2));
        }

        Assert.True(groups.Sum() >= 200 * round, $"every write went through the group commit ({groups.Sum()} recorded for {200 * round})");
        await using var after = await RunningHost.StartFrontEndAsync(configuration);
        var values = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => after.Grains.GetGrain<IProbeGrain>($"group/{i}").Get()));
        Assert.Equal(Enumerable.Range(0, 200).Select(i => $"r{round}-{i}"), values);
    }

    [Fact]
    public async Task A_stale_etag_fails_only_its_own_write_in_a_shared_transaction()
    {
        await using var host = await StartAsync();
        var storage = host.Services.GetRequiredKeyedService<IGrainStorage>(OrbitStorageNames.GrainState);
        var states = await SeedAsync(storage, "etag", 4);
        var stale = new GrainState<ProbeState>(new ProbeState { Value = "stale" }) { ETag = "7", RecordExists = true };
        var twin = new GrainState<ProbeState>(new ProbeState { Value = "twin" });

        var writes = await InOneGroupAsync(host, () => states.Select((s, i) => Write(storage, $"etag/{i}", new ProbeState { Value = $"new-{i}" }, s))
            .Append(Write(storage, "etag/0", new ProbeState { Value = "stale" }, stale))
            // A first write (no ETag) of a grain that already has a row: the provider's "two activations" conflict.
            .Append(Write(storage, "etag/1", new ProbeState { Value = "twin" }, twin))
            .ToList());

        Assert.True(writes.GroupSize >= 6, $"one transaction held all six writes ({writes.GroupSize})");
        Assert.All(writes.Tasks.Take(4), t => Assert.True(t.IsCompletedSuccessfully, t.Exception?.ToString()));
        Assert.IsType<InconsistentStateException>(writes.Tasks[4].Exception?.InnerException);
        Assert.IsType<InconsistentStateException>(writes.Tasks[5].Exception?.InnerException);
        Assert.Equal("7", stale.ETag);
        Assert.Null(twin.ETag);
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal("2", states[i].ETag);
            var read = await ReadAsync(storage, $"etag/{i}");
            Assert.Equal(($"new-{i}", "2"), (read.State!.Value, read.ETag));
        }
    }

    [Fact]
    public async Task A_statement_that_fails_is_undone_and_fails_only_its_caller()
    {
        await using var host = await StartAsync();
        var storage = host.Services.GetRequiredKeyedService<IGrainStorage>(OrbitStorageNames.GrainState);
        var states = await SeedAsync(storage, "savepoint", 3);
        // Fails an update after it changed the row, keeping the change (FAIL, unlike ABORT, undoes nothing): only the
        // writer's savepoint can take it back.
        await ExecuteAsync(host, """
            CREATE TRIGGER poisoned_write AFTER UPDATE ON OrleansStorage
            WHEN NEW.GrainIdExtensionString LIKE '%poison%' BEGIN SELECT RAISE(FAIL, 'poisoned'); END;
            """);
        var poisoned = new GrainState<ProbeState>(new ProbeState { Value = "before" });
        await storage.WriteStateAsync(StateName, Grain("poison"), poisoned);

        var writes = await InOneGroupAsync(host, () => states.Select((s, i) => Write(storage, $"savepoint/{i}", new ProbeState { Value = $"new-{i}" }, s))
            .Append(Write(storage, "poison", new ProbeState { Value = "after" }, poisoned))
            .ToList());

        Assert.True(writes.GroupSize >= 4, $"one transaction held all four writes ({writes.GroupSize})");
        Assert.All(writes.Tasks.Take(3), t => Assert.True(t.IsCompletedSuccessfully, t.Exception?.ToString()));
        Assert.IsType<SqliteException>(writes.Tasks[3].Exception?.InnerException);
        Assert.Equal("1", poisoned.ETag);
        var read = await ReadAsync(storage, "poison");
        Assert.Equal(("before", "1"), (read.State!.Value, read.ETag));
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal($"new-{i}", (await ReadAsync(storage, $"savepoint/{i}")).State!.Value);
        }
    }

    [Fact]
    public async Task A_group_whose_commit_fails_fails_every_caller_and_stores_none_of_it()
    {
        await using var host = await StartAsync();
        var storage = host.Services.GetRequiredKeyedService<IGrainStorage>(OrbitStorageNames.GrainState);
        var states = await SeedAsync(storage, "commit", 5);
        var fresh = new GrainState<ProbeState>(new ProbeState { Value = "fresh" });

        var writes = await InOneGroupAsync(host, () => states.Select((s, i) => Write(storage, $"commit/{i}", new ProbeState { Value = $"lost-{i}" }, s))
            .Append(Write(storage, "commit/fresh", new ProbeState { Value = "fresh" }, fresh))
            .ToList(), failGroup: true);

        Assert.True(writes.GroupSize >= 6, $"one transaction held all six writes ({writes.GroupSize})");
        Assert.All(writes.Tasks, t => Assert.IsType<IOException>(t.Exception?.InnerException));
        Assert.All(states, s => Assert.Equal("1", s.ETag));
        Assert.Null(fresh.ETag);
        Assert.False(fresh.RecordExists);
        for (var i = 0; i < 5; i++)
        {
            var read = await ReadAsync(storage, $"commit/{i}");
            Assert.Equal(($"seed-{i}", "1"), (read.State!.Value, read.ETag));
        }

        Assert.False((await ReadAsync(storage, "commit/fresh")).RecordExists);

        // The writer goes on after a failed group: the same writes, retried with the ETags they kept, are stored.
        await storage.WriteStateAsync(StateName, Grain("commit/0"), states[0]);
        await storage.WriteStateAsync(StateName, Grain("commit/fresh"), fresh);
        Assert.Equal(("lost-0", "2"), ((await ReadAsync(storage, "commit/0")).State!.Value, states[0].ETag));
        Assert.Equal("1", fresh.ETag);
    }

    [Fact]
    public async Task A_clear_deletes_the_row_and_checks_its_etag()
    {
        await using var host = await StartAsync();
        var deleting = host.Services.GetRequiredKeyedService<IGrainStorage>(OrbitStorageNames.GrainState);
        var deleted = (await SeedAsync(deleting, "clear-delete", 1))[0];
        var kept = (await SeedAsync(deleting, "clear-stale", 1))[0];
        var stale = new GrainState<ProbeState>(new ProbeState()) { ETag = "5", RecordExists = true };

        await deleting.ClearStateAsync(StateName, Grain("clear-delete/0"), deleted);
        await Assert.ThrowsAsync<InconsistentStateException>(() => deleting.ClearStateAsync(StateName, Grain("clear-stale/0"), stale));

        Assert.Null(deleted.ETag);
        Assert.False(deleted.RecordExists);
        Assert.Null(deleted.State!.Value);
        Assert.Equal("5", stale.ETag);
        var readDeleted = await ReadAsync(deleting, "clear-delete/0");
        Assert.Null(readDeleted.ETag);
        Assert.False(readDeleted.RecordExists);
        Assert.Equal(0L, await ScalarAsync(host, "SELECT count(*) FROM OrleansStorage WHERE GrainIdExtensionString LIKE '%clear-delete%'"));
        // The refused clear left its row as it was.
        Assert.Equal((kept.State!.Value, kept.ETag), ((await ReadAsync(deleting, "clear-stale/0")).State!.Value, (await ReadAsync(deleting, "clear-stale/0")).ETag));

        // A clear of state never read asks storage for the row's version first, as the provider does.
        var unread = new GrainState<ProbeState>(new ProbeState());
        await deleting.WriteStateAsync(StateName, Grain("clear-unread"), new GrainState<ProbeState>(new ProbeState { Value = "x" }));
        await deleting.ClearStateAsync(StateName, Grain("clear-unread"), unread);
        Assert.False((await ReadAsync(deleting, "clear-unread")).RecordExists);
    }

    [Fact]
    public async Task The_group_commit_writes_the_rows_of_the_provider_and_each_continues_the_others_versions()
    {
        await using var host = await StartAsync();
        var product = host.Services.GetRequiredKeyedService<IGrainStorage>(OrbitStorageNames.GrainState);
        // The provider alone, behind the same key mapping: how cluster mode and earlier versions write.
        var provider = new StorageKeyGrainStorage(
            await RawGrainStorage.StartAsync(host, OrbitStorageNames.GrainState),
            host.Services.GetRequiredService<LegacyStorageRows>(),
            host.Services.GetRequiredService<Microsoft.Extensions.Logging.ILogger<StorageKeyGrainStorage>>());
        const string Columns = "GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString, GrainIdExtensionString, ServiceId, hex(PayloadBinary), Version";
        var value = new ProbeState { Value = "same row", Writes = 3 };

        await product.WriteStateAsync(StateName, Grain("compat"), new GrainState<ProbeState>(value));
        var byGroupCommit = await RowAsync(host, Columns);
        await ExecuteAsync(host, "DELETE FROM OrleansStorage WHERE GrainIdExtensionString = 'k:compat'");
        var state = new GrainState<ProbeState>(value);
        await provider.WriteStateAsync(StateName, Grain("compat"), state);
        Assert.Equal(await RowAsync(host, Columns), byGroupCommit);

        // Versions carry on across the two writers, and each reads what the other wrote.
        await product.WriteStateAsync(StateName, Grain("compat"), state);
        Assert.Equal("2", state.ETag);
        await provider.WriteStateAsync(StateName, Grain("compat"), state);
        Assert.Equal("3", state.ETag);
        await Assert.ThrowsAsync<InconsistentStateException>(() =>
            product.WriteStateAsync(StateName, Grain("compat"), new GrainState<ProbeState>(value) { ETag = "2", RecordExists = true }));
        var read = new GrainState<ProbeState>(new ProbeState());
        await provider.ReadStateAsync(StateName, Grain("compat"), read);
        Assert.Equal(("same row", 3, "3"), (read.State!.Value, read.State.Writes, read.ETag));
        await product.ClearStateAsync(StateName, Grain("compat"), state);
        await provider.ReadStateAsync(StateName, Grain("compat"), read);
        Assert.False(read.RecordExists);
    }

    public void Dispose() => _data.Dispose();

    private Task<RunningHost> StartAsync() =>
        RunningHost.StartFrontEndAsync(RunningHost.IsolatedConfiguration(_data.Path, $"group-{Guid.NewGuid():N}"));

    private static GrainId Grain(string key) => GrainId.Create("group-commit-test", key);

    private static Task Write(IGrainStorage storage, string key, ProbeState value, IGrainState<ProbeState> state)
    {
        state.State = value;
        return storage.WriteStateAsync(StateName, Grain(key), state);
    }

    private static async Task<GrainState<ProbeState>> ReadAsync(IGrainStorage storage, string key)
    {
        var state = new GrainState<ProbeState>(new ProbeState());
        await storage.ReadStateAsync(StateName, Grain(key), state);
        return state;
    }

    /// <summary>Rows for <paramref name="count"/> keys <c>prefix/i</c> at version 1 (<c>seed-i</c>), and their states.</summary>
    private static async Task<List<GrainState<ProbeState>>> SeedAsync(IGrainStorage storage, string prefix, int count)
    {
        var states = new List<GrainState<ProbeState>>();
        for (var i = 0; i < count; i++)
        {
            var state = new GrainState<ProbeState>(new ProbeState { Value = $"seed-{i}" });
            await storage.WriteStateAsync(StateName, Grain($"{prefix}/{i}"), state);
            Assert.Equal("1", state.ETag);
            states.Add(state);
        }

        return states;
    }

    private sealed record Group(IReadOnlyList<Task> Tasks, int GroupSize);

    /// <summary>
    /// Holds the writer in its next transaction (a write of its own, or whatever the host wrote first) while
    /// <paramref name="start"/> queues its writes, so that they all join the following group (which may hold more); that group fails before its COMMIT when <paramref name="failGroup"/>.
    /// Returns the queued writes once all have completed, and the size of the group they formed.
    /// </summary>
    private static async Task<Group> InOneGroupAsync(RunningHost host, Func<List<Task>> start, bool failGroup = false)
    {
        var writer = host.Services.GetRequiredService<SqliteGroupCommit>();
        var storage = host.Services.GetRequiredKeyedService<IGrainStorage>(OrbitStorageNames.GrainState);
        var holding = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sizes = new ConcurrentQueue<int>();
        writer.BeforeCommit = async size =>
        {
            sizes.Enqueue(size);
            if (sizes.Count == 1)
            {
                holding.SetResult();
                await release.Task;
            }
            else if (failGroup)
            {
                throw new IOException("disk I/O error (injected)");
            }
        };
        try
        {
            var plug = storage.WriteStateAsync(StateName, Grain($"plug/{Guid.NewGuid():N}"), new GrainState<ProbeState>(new ProbeState()));
            await holding.Task.WaitAsync(TimeSpan.FromSeconds(60));
            // Queued synchronously by each call: all of them wait behind the held transaction.
            var tasks = start();
            release.SetResult();
            // Completed, failed or not: the writes (and the plug, when the held group was another's) report each outcome.
            await Task.WhenAll(tasks.Append(plug).Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default))).WaitAsync(TimeSpan.FromSeconds(60));
            return new Group(tasks, sizes.Skip(1).First());
        }
        finally
        {
            writer.BeforeCommit = null;
        }
    }

    private static MeterListener GroupSizes(RunningHost host, ConcurrentQueue<int> sizes)
    {
        var meter = host.Services.GetRequiredService<OrbitMeter>().Meter;
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter == meter && instrument.Name == "orbitgrains.storage.group_commit.writes")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<int>((_, value, _, _) => sizes.Enqueue(value));
        listener.Start();
        return listener;
    }

    private static async Task<string> RowAsync(RunningHost host, string columns)
    {
        await using var connection = new SqliteConnection(SchemaInstaller.SqliteConnectionString(host.Services.GetRequiredService<OrbitClusterSettings>().SqlitePath));
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {columns} FROM OrleansStorage WHERE GrainIdExtensionString = 'k:compat'";
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), "the row exists");
        return string.Join(" | ", Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "NULL" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)));
    }

    private static async Task ExecuteAsync(RunningHost host, string sql)
    {
        await using var connection = new SqliteConnection(SchemaInstaller.SqliteConnectionString(host.Services.GetRequiredService<OrbitClusterSettings>().SqlitePath));
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<long> ScalarAsync(RunningHost host, string sql)
    {
        await using var connection = new SqliteConnection(SchemaInstaller.SqliteConnectionString(host.Services.GetRequiredService<OrbitClusterSettings>().SqlitePath));
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
