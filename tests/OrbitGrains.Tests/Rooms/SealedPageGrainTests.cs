using OrbitGrains.Rooms;

namespace OrbitGrains.Tests.Rooms;

/// <summary>
/// A sealed page keeps its entries in storage, not in memory: once written it holds none, a read loads them once, a
/// retried seal writes nothing, and deleting it needs no read (its stored version is kept).
/// </summary>
public sealed class SealedPageGrainTests
{
    [Fact]
    public async Task A_stored_page_lets_go_of_its_entries_and_reads_them_back_only_when_asked()
    {
        var storage = new CountingState();
        var page = new SealedPageGrain<string>(storage);

        await page.Seal(["a", "b", "c"]);
        Assert.Equal(1, storage.Writes);
        Assert.Equal(["a", "b", "c"], storage.Stored);
        Assert.Empty(storage.State.Entries);

        // A retry after a crash (the thread did not hear the first seal) writes nothing again.
        await page.Seal(["a", "b", "c"]);
        Assert.Equal(1, storage.Writes);
        Assert.Equal(0, storage.Reads);

        Assert.Equal(["a", "b", "c"], await page.Entries());
        Assert.Equal(1, storage.Reads);
        Assert.Equal(["a", "b", "c"], await page.Entries());
        Assert.Equal(1, storage.Reads);
    }

    [Fact]
    public async Task A_page_activated_by_a_retried_seal_compares_with_what_it_read()
    {
        var storage = new CountingState { Stored = ["a", "b"] };
        storage.State.Entries = ["a", "b"];
        var page = new SealedPageGrain<string>(storage);

        await page.Seal(["a", "b"]);
        Assert.Equal(0, storage.Writes);
        Assert.Empty(storage.State.Entries);
        Assert.Equal(["a", "b"], await page.Entries());
    }

    /// <summary>Storage of one page, counting reads and writes.</summary>
    private sealed class CountingState : IPersistentState<SealedPage<string>>
    {
        public string[] Stored { get; set; } = [];
        public int Reads { get; private set; }
        public int Writes { get; private set; }
        public SealedPage<string> State { get; set; } = new();
        public string? Etag { get; private set; }
        public bool RecordExists => Stored.Length > 0;

        public Task ReadStateAsync()
        {
            Reads++;
            State = new SealedPage<string> { Entries = [.. Stored] };
            return Task.CompletedTask;
        }

        public Task WriteStateAsync()
        {
            Writes++;
            Stored = [.. State.Entries];
            Etag = Writes.ToString();
            return Task.CompletedTask;
        }

        public Task ClearStateAsync()
        {
            Stored = [];
            Etag = null;
            return Task.CompletedTask;
        }
    }
}
