namespace OrbitGrains.Tests.Foundation;

public sealed class EmbeddedDurabilityTests
{
    [Fact]
    public async Task Grain_state_written_by_one_host_is_read_by_the_next_on_the_same_data_folder()
    {
        using var data = new TempDirectory();
        const string service = "durability";

        await using (var first = await RunningHost.StartFrontEndAsync(RunningHost.IsolatedConfiguration(data.Path, service)))
        {
            await first.Grains.GetGrain<IProbeGrain>("user/alice").Set("kept across restarts");
        }

        Assert.True(File.Exists(Path.Combine(data.Path, "orbitgrains.db")));
        // Accounts and token hashes live here: readable by the owner only, the WAL too.
        foreach (var file in new[] { "orbitgrains.db", "orbitgrains.db-wal" }.Select(f => Path.Combine(data.Path, f)).Where(File.Exists))
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, OperatingSystem.IsWindows() ? UnixFileMode.UserRead | UnixFileMode.UserWrite : File.GetUnixFileMode(file));
        }

        // Fresh ports: nothing but the data folder is shared with the first host.
        await using var second = await RunningHost.StartFrontEndAsync(RunningHost.IsolatedConfiguration(data.Path, service));
        Assert.Equal("kept across restarts", await second.Grains.GetGrain<IProbeGrain>("user/alice").Get());
        Assert.Null(await second.Grains.GetGrain<IProbeGrain>("user/bob").Get());
    }

    [Fact]
    public async Task Database_path_places_the_embedded_store_where_the_operator_says()
    {
        using var data = new TempDirectory();
        var file = Path.Combine(data.Path, "nested", "control_plane.db");
        var configuration = RunningHost.IsolatedConfiguration(Path.Combine(data.Path, "unused"), "dbpath");
        configuration.Remove("DATA_DIR");
        configuration["DATABASE_PATH"] = file;

        await using (var host = await RunningHost.StartFrontEndAsync(configuration))
        {
            await host.Grains.GetGrain<IProbeGrain>("k").Set("v");
        }

        Assert.True(File.Exists(file));
        Assert.Equal("wal", await JournalModeAsync(file));
    }

    [Fact]
    public async Task Cleared_state_leaves_no_row_and_the_grain_can_be_written_again()
    {
        using var data = new TempDirectory();
        var file = Path.Combine(data.Path, "orbitgrains.db");
        await using var host = await RunningHost.StartFrontEndAsync(RunningHost.IsolatedConfiguration(data.Path, "clear"));
        var probe = host.Grains.GetGrain<IProbeGrain>("token/spent");

        await probe.Set("live");
        Assert.Equal(1, await RowsAsync(file, "token/spent"));

        await probe.Clear();
        Assert.Equal(0, await RowsAsync(file, "token/spent"));
        Assert.Null(await probe.Get());

        // Written again after the delete: a fresh row, no version conflict.
        await probe.Set("again");
        await probe.Clear();
        await probe.Set("third");
        Assert.Equal(1, await RowsAsync(file, "token/spent"));
        Assert.Equal("third", await probe.Get());
    }

    private static async Task<long> RowsAsync(string file, string key)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={file}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM OrleansStorage WHERE GrainIdExtensionString = $key;";
        command.Parameters.AddWithValue("$key", OrbitGrains.Hosting.StorageKeys.Key(GrainId.Create("probe", key)).Key.ToString());
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<string> JournalModeAsync(string file)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={file}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";
        return (string)(await command.ExecuteScalarAsync())!;
    }
}
