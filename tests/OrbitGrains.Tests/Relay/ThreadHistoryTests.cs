using Microsoft.Extensions.DependencyInjection;
using OrbitGrains.Hosting;
using OrbitGrains.Relay;
using OrbitGrains.Rooms;
using Orleans.Storage;
using ThreadState = OrbitGrains.Relay.ThreadState;

namespace OrbitGrains.Tests.Relay;

/// <summary>
/// A thread's history is a pair of paged logs with retention: the stored row stays small however much is relayed,
/// replay and artifacts read across sealed pages, pages beyond retention are deleted, and rows stored before paging
/// are moved into pages.
/// </summary>
public sealed class ThreadHistoryTests : IAsyncLifetime
{
    private const int PageBytes = 4096;
    private const int RetainedBytes = 16384;
    private readonly TempDirectory _data = new("thread-history");
    private RunningHost _host = null!;

    public async Task InitializeAsync()
    {
        var configuration = RunningHost.IsolatedConfiguration(_data.Path, "thread-history");
        configuration["RELAY_HISTORY_PAGE_BYTES"] = PageBytes.ToString();
        configuration["RELAY_HISTORY_BYTES"] = RetainedBytes.ToString();
        configuration["RELAY_ARTIFACT_HISTORY_BYTES"] = RetainedBytes.ToString();
        configuration["RELAY_HISTORY_MAX_ENTRY_BYTES"] = "2048";
        _host = await RunningHost.StartFrontEndAsync(configuration, configure: TestRelayAuthenticator.Use);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _data.Dispose();
    }

    private static string Delta(int i) => $$$"""{"method":"item/agentMessage/delta","params":{"threadId":"t","delta":"{{{i}}} {{{new string('x', 50)}}}"}}""";

    [Fact]
    public async Task The_stored_row_stays_small_however_much_is_relayed_and_replay_reads_across_pages()
    {
        var key = $"{RelayHostFixture.NewUser()}/t";
        var thread = _host.Grains.GetGrain<IThreadGrain>(key);
        for (var batch = 0; batch < 20; batch++)
        {
            await thread.Record([.. Enumerable.Range(batch * 50, 50).Select(Delta)], "a");
        }

        // 1,000 messages of ~120 characters: about 30 pages' worth, of which 4 pages (~130 messages) are retained.
        var snapshot = await thread.Snapshot(100);
        Assert.Equal(Enumerable.Range(900, 100).Select(i => i.ToString()), snapshot.Replay.Select(f => System.Text.Json.Nodes.JsonNode.Parse(f)!["params"]!["delta"]!.ToString().Split(' ')[0]));

        var stored = await StoredAsync(key);
        Assert.InRange(stored.Messages.Sum(m => m.Length), 0, PageBytes);
        Assert.InRange(stored.MessagePages.Sum(p => p.Bytes), 1, RetainedBytes);
        Assert.Equal(stored.NextMessagePage - stored.MessagePages.Count, stored.MessagePages[0].Number);

        // Pages beyond retention are gone from storage, not only from the list.
        var first = _host.Grains.GetGrain<ISealedPageGrain<string>>($"relay-messages:{key}#0");
        Assert.Empty(await first.Entries());
        var kept = _host.Grains.GetGrain<ISealedPageGrain<string>>($"relay-messages:{key}#{stored.MessagePages[^1].Number}");
        Assert.NotEmpty(await kept.Entries());
    }

    [Fact]
    public async Task Artifacts_page_backwards_across_sealed_pages_and_a_big_payload_is_kept_without_it()
    {
        var key = $"{RelayHostFixture.NewUser()}/t";
        var thread = _host.Grains.GetGrain<IThreadGrain>(key);
        string Completed(int i, int size) =>
            "{\"method\":\"item/completed\",\"params\":{\"threadId\":\"t\",\"turnId\":\"turn\",\"item\":{\"type\":\"fileChange\",\"id\":\"item-" + i
            + "\",\"changes\":[{\"path\":\"f" + i + "\",\"diff\":\"" + new string('d', size) + "\"}]}}}";
        await thread.Record([.. Enumerable.Range(0, 60).Select(i => Completed(i, 300))], "a");
        await thread.Record([Completed(60, 5000)], "a");

        var seen = new List<long>();
        long? before = null;
        do
        {
            var page = await thread.Artifacts(7, before);
            seen.AddRange(page.Artifacts.Select(a => a.Id));
            before = page.NextBeforeId;
        }
        while (before is not null);

        // Newest first, no gaps, until retention ends (16 KiB of ~650-character artifacts: the newest 20 or more).
        Assert.Equal(61, seen[0]);
        Assert.Equal(Enumerable.Range(0, seen.Count).Select(i => 61L - i), seen);
        Assert.InRange(seen.Count, 20, 61);
        var big = (await thread.Artifacts(1, null)).Artifacts[0];
        Assert.Equal("null", big.PayloadJson);
        Assert.Equal("fileChange", big.ItemType);
    }

    [Fact]
    public async Task A_message_over_the_entry_limit_is_not_kept_for_replay()
    {
        var key = $"{RelayHostFixture.NewUser()}/t";
        var thread = _host.Grains.GetGrain<IThreadGrain>(key);
        var image = $$$"""{"method":"item/agentMessage/delta","params":{"threadId":"t","delta":"{{{new string('i', 4000)}}}"}}""";
        await thread.Record([Delta(1), image, Delta(2)], "a");
        Assert.Equal([Delta(1), Delta(2)], (await thread.Snapshot(100)).Replay);
    }

    [Fact]
    public async Task A_row_stored_before_paging_is_moved_into_pages_when_the_thread_wakes()
    {
        var key = $"{RelayHostFixture.NewUser()}/t";
        var old = new ThreadState { BoundAnchorId = "a", Messages = [.. Enumerable.Range(0, 200).Select(Delta)] };
        await Storage.WriteStateAsync("thread", GrainId.Create("thread", key), new GrainState<ThreadState>(old));

        var thread = _host.Grains.GetGrain<IThreadGrain>(key);
        Assert.Equal(Enumerable.Range(100, 100).Select(Delta), (await thread.Snapshot(100)).Replay);
        Assert.Equal("a", await thread.BoundAnchor());

        var stored = await StoredAsync(key);
        Assert.InRange(stored.Messages.Sum(m => m.Length), 0, PageBytes);
        Assert.NotEmpty(stored.MessagePages);
    }

    private IGrainStorage Storage => _host.Services.GetRequiredKeyedService<IGrainStorage>(OrbitStorageNames.GrainState);

    private async Task<ThreadState> StoredAsync(string key)
    {
        // What storage holds once the thread has written what it has (flushed on deactivation).
        await _host.Grains.GetGrain<IThreadGrain>(key).BoundAnchor();
        var read = new GrainState<ThreadState>(new ThreadState());
        await Eventually.TrueAsync(async () =>
        {
            await Storage.ReadStateAsync("thread", GrainId.Create("thread", key), read);
            return read.RecordExists;
        }, "the thread's row is stored");
        return read.State!;
    }
}
