using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OrbitGrains.Feeds;
using OrbitGrains.Tests.Accounts;
using OrbitGrains.WebFrontend.Feeds;
using Orleans.Core.Internal;

namespace OrbitGrains.Tests.Agents;

/// <summary>
/// The person's feed on the observer hub: the feed grain calls each watching front end's <see cref="UserFeedHub"/>
/// one-way, and the hub fans each entry out to the user's connections there, fills gaps from the feed and turns a new
/// epoch of the feed into a reset.
/// </summary>
public sealed class AgentsFeedHubTests(AgentsHost host) : AccountsHostTest<AgentsHost>(host)
{
    private AgentsApi Agents => new(Host.Http);

    private UserFeedHub Hub => Host.Services.GetRequiredService<UserFeedHub>();

    private async Task<(string Token, string UserId)> SignUpAsync()
    {
        var token = await Agents.SignUpAsync();
        using var me = await Agents.SendAsync(HttpMethod.Get, "/api/auth/me", bearer: token);
        return (token, (string)(await AccountsApi.ExpectJsonAsync(me, HttpStatusCode.OK))["id"]!);
    }

    private Task PublishAsync(string userId, int n) => Host.Grains.GetGrain<IUserFeedGrain>(userId).Publish("test", $"{{\"n\":{n}}}");

    private static async Task<int[]> ReadTestEntriesUntilAsync(Pipeline.SseClient stream, int last)
    {
        var frames = await stream.ReadUntilAsync(f => f.Type == "test" && f.Data.GetProperty("data").GetProperty("n").GetInt32() == last);
        return frames.Where(f => f.Type == "test").Select(f => f.Data.GetProperty("data").GetProperty("n").GetInt32()).ToArray();
    }

    [Fact]
    public async Task Two_connections_of_one_user_on_one_front_end_get_every_entry_once_each_in_order()
    {
        var (token, userId) = await SignUpAsync();
        using var client = Agents.ClientOf(token);
        var (one, connectedOne) = await Agents.OpenStreamAsync(client);
        var (two, connectedTwo) = await Agents.OpenStreamAsync(client);
        await using (one)
        await using (two)
        {
            Assert.Equal(2, Hub.SubscribersOf(userId));

            // Published concurrently: the feed numbers them in the order it takes them, and each connection gets each once.
            await Task.WhenAll(Enumerable.Range(1, 40).Select(n => PublishAsync(userId, n)));
            foreach (var (stream, connected) in new[] { (one, connectedOne), (two, connectedTwo) })
            {
                var count = 0;
                var frames = await stream.ReadUntilAsync(f => f.Type == "test" && ++count == 40);
                var entries = frames.Where(f => f.Type == "test").ToArray();
                Assert.Equal(Enumerable.Range(1, 40), entries.Select(f => f.Data.GetProperty("data").GetProperty("n").GetInt32()).Order());
                Assert.Equal(Enumerable.Range(1, 40).Select(i => connected.Id + i), entries.Select(f => f.Id));
            }

            // An entry after them arrives next on both: nothing was doubled behind the forty.
            await PublishAsync(userId, 41);
            Assert.Equal(new[] { 41 }, await ReadTestEntriesUntilAsync(one, 41));
            Assert.Equal(new[] { 41 }, await ReadTestEntriesUntilAsync(two, 41));
        }

        await Eventually.TrueAsync(() => Hub.SubscribersOf(userId) == 0, "the user's connections left the hub");
    }

    [Fact]
    public async Task A_batch_that_skips_ids_is_filled_from_the_feed_before_it_is_passed_on()
    {
        var (token, userId) = await SignUpAsync();
        using var client = Agents.ClientOf(token);
        var (stream, _) = await Agents.OpenStreamAsync(client);
        await using (stream)
        {
            await PublishAsync(userId, 1);
            Assert.Equal(new[] { 1 }, await ReadTestEntriesUntilAsync(stream, 1));

            // A stand-in takes the front end's lease (same silo, another observer), so the hub misses what follows, as
            // when one-way calls are lost; then the hub is handed only the last of them.
            var standIn = new RecordingObserver();
            var feed = Host.Grains.GetGrain<IUserFeedGrain>(userId);
            var silo = Host.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;
            await feed.Watch(silo, Host.Grains.CreateObjectReference<IUserFeedObserver>(standIn), long.MaxValue);
            foreach (var n in new[] { 2, 3, 4 })
            {
                await PublishAsync(userId, n);
                await Eventually.TrueAsync(() => standIn.Entries.Count == n - 1, $"the stand-in got entry {n}");
            }

            await ((IUserFeedObserver)Hub).OnEntries(userId, [standIn.Entries.Last()]);
            Assert.Equal(new[] { 2, 3, 4 }, await ReadTestEntriesUntilAsync(stream, 4));

            // The lease back to the hub (as its renewal does); later entries come live again, nothing twice.
            await feed.Watch(silo, Host.Grains.CreateObjectReference<IUserFeedObserver>(Hub), long.MaxValue);
            await PublishAsync(userId, 5);
            Assert.Equal(new[] { 5 }, await ReadTestEntriesUntilAsync(stream, 5));
        }
    }

    [Fact]
    public async Task The_feed_going_away_gives_its_connections_a_reset_and_live_entries_of_the_new_epoch_follow()
    {
        var (token, userId) = await SignUpAsync();
        using var client = Agents.ClientOf(token);
        var (stream, _) = await Agents.OpenStreamAsync(client);
        await using (stream)
        {
            await PublishAsync(userId, 1);
            var before = (await stream.ReadUntilAsync(f => f.Type == "test"))[^1].Id;

            // Without any entry of the new epoch: the deactivation itself makes the hub look, and it learns the new epoch.
            await Host.Grains.GetGrain<IUserFeedGrain>(userId).AsReference<IGrainManagementExtension>().DeactivateOnIdle();
            var reset = await stream.NextAsync(TimeSpan.FromSeconds(60));
            Assert.Equal("reset", reset.Type);
            Assert.True(reset.Id >> UserFeed.EpochShift > before >> UserFeed.EpochShift, $"reset id {reset.Id} is of a later epoch than {before}");

            await PublishAsync(userId, 2);
            var live = (await stream.ReadUntilAsync(f => f.Type == "test"))[^1];
            Assert.Equal(reset.Id + 1, live.Id);
        }
    }

    [Fact]
    public async Task A_reconnect_after_the_feed_went_away_is_told_to_reset()
    {
        var (token, userId) = await SignUpAsync();
        using var client = Agents.ClientOf(token);
        long seen;
        var (first, _) = await Agents.OpenStreamAsync(client);
        await using (first)
        {
            await PublishAsync(userId, 1);
            seen = (await first.ReadUntilAsync(f => f.Type == "test"))[^1].Id;
        }

        await Host.Grains.GetGrain<IUserFeedGrain>(userId).AsReference<IGrainManagementExtension>().DeactivateOnIdle();
        var (again, connected) = await Agents.OpenStreamAsync(client, seen);
        await using (again)
        {
            Assert.Equal("reset", (await again.NextAsync()).Type);
            Assert.True(connected.Id >> UserFeed.EpochShift > seen >> UserFeed.EpochShift);
        }
    }

    private sealed class RecordingObserver : IUserFeedObserver
    {
        public ConcurrentQueue<UserFeedEvent> Entries { get; } = new();

        public Task OnEntries(string userId, UserFeedEvent[] entries)
        {
            foreach (var entry in entries)
            {
                Entries.Enqueue(entry);
            }

            return Task.CompletedTask;
        }
    }
}
