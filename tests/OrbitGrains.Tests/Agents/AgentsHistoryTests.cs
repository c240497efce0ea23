using System.Net;
using OrbitGrains.Tests.Accounts;
using OrbitGrains.Tests.Infrastructure;

namespace OrbitGrains.Tests.Agents;

/// <summary>
/// The read side of an agent's logs (`IAgentHistoryGrain`): one snapshot from the agent, then the sealed pages, read
/// while the agent keeps writing.
/// </summary>
public sealed class AgentsHistoryTests(AgentsHost host) : AccountsHostTest<AgentsHost>(host)
{
    private AgentsApi Agents => new(Host.Http);

    [Fact]
    public async Task Events_read_while_an_agent_reports_are_each_a_whole_newest_first_page_and_the_count_never_goes_down()
    {
        // 150 events seal six pages of 25 as they arrive; a read of 60 spans sealed pages and the open one.
        const int total = 150;
        const int limit = 60;
        var user = await Agents.SignUpAsync();
        var (agent, token) = await Agents.CreateAgentAsync(user);
        var id = (string)agent["id"]!;
        var reads = 0;
        var written = false;
        var readerStopped = false;

        // One event at a time, so the agent numbers them as this loop does: "event 7" is the 7th.
        async Task WriteAsync()
        {
            try
            {
                for (var n = 1; n <= total; n++)
                {
                    await AccountsApi.ExpectJsonAsync(await Agents.PostEventAsync(token, new { type = "action", message = $"event {n}" }), HttpStatusCode.Created);
                    if (n == total / 2)
                    {
                        // Reads that start mid-way are certain to be seen, however the two loops are scheduled.
                        var before = Volatile.Read(ref reads);
                        await Eventually.TrueAsync(() => Volatile.Read(ref reads) >= before + 2 || Volatile.Read(ref readerStopped), "two reads completed mid-way");
                    }
                }
            }
            finally
            {
                Volatile.Write(ref written, true);
            }
        }

        var counts = new List<int>();
        async Task ReadAsync()
        {
            try
            {
                await ReadWhileWritingAsync();
            }
            finally
            {
                Volatile.Write(ref readerStopped, true);
            }
        }

        async Task ReadWhileWritingAsync()
        {
            while (!Volatile.Read(ref written))
            {
                var stored = (int)(long)(await Agents.GetAgentAsync(user, id))["eventsCount"]!;
                var page = (await Agents.GetArrayAsync($"/v1/agents/{id}/events?limit={limit}", bearer: user))
                    .Select(e => int.Parse(((string)e!["message"]!)["event ".Length..])).ToArray();
                var newest = page.Length > 0 ? page[0] : 0;
                Assert.True(newest >= stored, $"a read after the count {stored} was read saw only {newest} events");
                Assert.Equal(Math.Min(limit, newest), page.Length);
                Assert.Equal(Enumerable.Range(newest - page.Length + 1, page.Length).Reverse(), page);
                Assert.True(counts.Count == 0 || newest >= counts[^1], $"the count went down from {(counts.Count > 0 ? counts[^1] : 0)} to {newest}");
                counts.Add(newest);
                Interlocked.Increment(ref reads);
            }
        }

        await Task.WhenAll(Task.Run(WriteAsync), Task.Run(ReadAsync));

        Assert.Contains(counts, c => c is > 0 and < total);
        var last = (await Agents.GetArrayAsync($"/v1/agents/{id}/events?limit={limit}", bearer: user)).Select(e => (string)e!["message"]!);
        Assert.Equal(Enumerable.Range(total - limit + 1, limit).Reverse().Select(n => $"event {n}"), last);
    }
}
