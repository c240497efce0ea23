using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using OrbitGrains.Tests.Accounts;

namespace OrbitGrains.Tests.Operations.Chaos;

/// <summary>
/// Orbit relay pairs: per person one anchor and one client, on different front ends, each reconnecting to the other
/// front end when its socket goes. The anchor streams numbered thread messages (`item/agentMessage/delta`, 10 a
/// second, a new thread every <see cref="PerThread"/> so the replay of 200 per thread holds them all); the client
/// counts what arrives live and, after each reconnect, what the thread replays.
/// </summary>
public sealed class RelayLoad(ChaosContext context, Connections connections)
{
    public const int PerThread = 100;
    private readonly List<Pair> _pairs = [];

    public IReadOnlyList<Pair> Pairs => _pairs;

    public int Sent => _pairs.Sum(p => p.Sent.Count);

    public int Received => _pairs.Sum(p => p.Received.Count);

    public static string ThreadOf(int seq) => $"chaos-{seq / PerThread}";

    /// <summary>Signs the people up and their anchors in (device flow), before any chaos.</summary>
    public async Task PrepareAsync(int people)
    {
        for (var i = 0; i < people; i++)
        {
            var api = new AccountsApi(context.Http(i));
            var session = await api.RegisterAsync(AccountsApi.NewName("chaos"));
            var anchor = (string)(await api.SignInAnchorAsync(session.Token))["anchorAccessToken"]!;
            _pairs.Add(new Pair($"relay{i}", session.Token, anchor, i));
        }
    }

    public IEnumerable<Task> Run(CancellationToken stop) =>
        _pairs.SelectMany(pair => new[] { AnchorAsync(pair, stop), ClientAsync(pair, stop) });

    private Task AnchorAsync(Pair pair, CancellationToken stop)
    {
        var connection = 0;
        return connections.KeepConnectedAsync($"{pair.Name}-anchor", pair.Index, $"/ws/anchor?token={Uri.EscapeDataString(pair.AnchorToken)}", async socket =>
        {
            connection = Interlocked.Increment(ref pair.AnchorConnections);
            await socket.NextAsync(f => (string?)f["type"] == "orbit.hello", TimeSpan.FromSeconds(30));
            await socket.SendAsync(new { type = "anchor.hello", anchorId = "chaos-anchor", hostname = "chaos", platform = "linux" });
            var thread = ThreadOf(pair.Seq + 1);
            await socket.SendAsync(new { type = "orbit.subscribe", threadId = thread });
            await socket.NextAsync(f => (string?)f["type"] == "orbit.subscribed", TimeSpan.FromSeconds(30));
            connections.Back($"{pair.Name}-anchor");
            while (!stop.IsCancellationRequested)
            {
                var next = pair.Seq + 1;
                if (ThreadOf(next) != thread)
                {
                    thread = ThreadOf(next);
                    await socket.SendAsync(new { type = "orbit.subscribe", threadId = thread });
                }

                await socket.SendAsync(new { method = "item/agentMessage/delta", @params = new { threadId = thread, delta = next.ToString() } });
                pair.Sent[next] = (context.Now, connection);
                pair.Seq = next;
                // The pace of the load; a closing socket ends the wait at once.
                await Task.WhenAny(socket.Closed, Task.Delay(100, stop));
                if (socket.Closed.IsCompleted)
                {
                    return;
                }
            }
        },
        // The first loss of a connection is when it ended; a failed reconnect after it does not move that.
        lost: () => pair.AnchorLostAt.TryAdd(connection, context.Now), stop);
    }

    private Task ClientAsync(Pair pair, CancellationToken stop) =>
        connections.KeepConnectedAsync($"{pair.Name}-client", pair.Index + 1, $"/ws/client?token={Uri.EscapeDataString(pair.WebToken)}&clientId=chaos-tab", async socket =>
        {
            await socket.NextAsync(f => (string?)f["type"] == "orbit.hello", TimeSpan.FromSeconds(30));
            // Every thread so far, as a client does after a reconnect: each replays what it kept.
            var subscribed = pair.Seq / PerThread;
            for (var thread = 0; thread <= subscribed; thread++)
            {
                await socket.SendAsync(new { type = "orbit.subscribe", threadId = $"chaos-{thread}" });
                await socket.NextAsync(f => Count(pair, f) && (string?)f["type"] == "orbit.relay-state", TimeSpan.FromSeconds(30));
            }

            connections.Back($"{pair.Name}-client");
            while (!stop.IsCancellationRequested)
            {
                if (pair.Seq / PerThread > subscribed)
                {
                    subscribed++;
                    await socket.SendAsync(new { type = "orbit.subscribe", threadId = $"chaos-{subscribed}" });
                }

                try
                {
                    // Skips (and counts) everything; returns when the socket closes or a second passes.
                    await socket.NextAsync(f => !Count(pair, f), TimeSpan.FromSeconds(1));
                }
                catch (TimeoutException)
                {
                }
            }
        }, lost: null, stop);

    /// <summary>
    /// After the run: a new client per person subscribes to every thread and reads the replay; the messages that neither
    /// arrived live nor in a replay are lost. Each comes back with when it was sent and what happened around then.
    /// </summary>
    public async Task<List<LostMessage>> LostAsync()
    {
        var lost = new List<LostMessage>();
        foreach (var pair in _pairs)
        {
            await using var socket = await OrbitSocket.ConnectAsync(context.FrontEnd(0), $"/ws/client?token={Uri.EscapeDataString(pair.WebToken)}&clientId=chaos-check");
            await socket.NextAsync(f => (string?)f["type"] == "orbit.hello", TimeSpan.FromSeconds(30));
            var threads = pair.Seq / PerThread + 1;
            for (var thread = 0; thread < threads; thread++)
            {
                await socket.SendAsync(new { type = "orbit.subscribe", threadId = $"chaos-{thread}" });
            }

            // Each thread answers with its relay-state (how many it replays) and the replayed messages: read until all are in.
            int states = 0, replayed = 0, messages = 0;
            while (states < threads || messages < replayed)
            {
                var frame = await socket.NextAsync(timeout: TimeSpan.FromSeconds(30));
                Count(pair, frame);
                if ((string?)frame["type"] == "orbit.relay-state")
                {
                    states++;
                    replayed += (int)frame["replayed"]!;
                }
                else if (frame["method"] is not null)
                {
                    messages++;
                }
            }

            foreach (var (seq, (at, connection)) in pair.Sent.OrderBy(s => s.Key))
            {
                if (!pair.Received.ContainsKey(seq))
                {
                    lost.Add(new LostMessage(pair.Name, seq, at, connection, pair.AnchorLostAt.TryGetValue(connection, out var ended) ? ended : null));
                }
            }
        }

        return lost;
    }

    private static bool Count(Pair pair, JsonObject frame)
    {
        if ((string?)frame["method"] == "item/agentMessage/delta" && int.TryParse((string?)frame["params"]?["delta"], out var seq))
        {
            pair.Received[seq] = 0;
        }

        return true;
    }

    /// <summary>One person's anchor and client, and what went between them.</summary>
    public sealed class Pair(string name, string webToken, string anchorToken, int index)
    {
        public string Name { get; } = name;
        public string WebToken { get; } = webToken;
        public string AnchorToken { get; } = anchorToken;
        public int Index { get; } = index;

        /// <summary>The last message number the anchor sent.</summary>
        public volatile int Seq;

        public int AnchorConnections;

        /// <summary>Message number -> when it was sent and on which of the anchor's connections.</summary>
        public ConcurrentDictionary<int, (double At, int Connection)> Sent { get; } = new();

        public ConcurrentDictionary<int, byte> Received { get; } = new();

        /// <summary>Anchor connection -> when the anchor saw it end.</summary>
        public ConcurrentDictionary<int, double> AnchorLostAt { get; } = new();
    }

    /// <param name="ConnectionEndedAt">When the anchor's connection that carried it ended; null if it was still open at the end.</param>
    public sealed record LostMessage(string Pair, int Seq, double SentAt, int Connection, double? ConnectionEndedAt);
}
