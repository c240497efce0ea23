namespace OrbitGrains.Tests.Operations.Chaos;

/// <summary>
/// The chaos run: a PostgreSQL cluster of three real processes (two front ends, one headless silo) under a mixed load
/// (relay pairs, room telemetry and estops, pipeline jobs at gates, sign-ups and sign-ins), through rounds of
/// (1) a rolling restart of every node (SIGTERM, wait, start, wait ready) and (2) SIGKILL of a front end, then of the
/// headless silo, each started again. Afterwards every acknowledged write is read back. Used by ChaosTests (one
/// round) and by bench/chaos.sh (rounds until a duration).
/// </summary>
public static class ChaosRun
{
    /// <summary>RELAY_HUB_LEASE_SEC and ROOM_HUB_LEASE_SEC: the product's defaults.</summary>
    public const int LeaseSeconds = 15;

    /// <summary>
    /// The relay's documented bound (docs/benchmarks.md, "Chaos"). The protocol does not acknowledge an anchor's
    /// notifications, so a connection that ends (1001 from a stopping node, 1012 when the person's relay could not take
    /// a frame or restarted, a cut) may lose its tail: the frames written after the last one the relay handed on. A
    /// connection never loses frames in its middle, nor while it stays open. And a thread's replay is written behind
    /// (ThreadGrain: one second), so a killed node may take the replay of the moments before its death.
    /// </summary>
    public const double ReplayWriteBehindSeconds = 2;

    /// <summary>Job timers (gate auto-approval) may fire late by the watchdog period (5 s here) plus the cluster's failure detection and a restart.</summary>
    public const double TimerLateBoundSeconds = 30;

    public sealed record Options(int MinimumRounds, TimeSpan Duration, int RelayPeople = 3, int Rooms = 2, int AccountWorkers = 2);

    public static async Task<ChaosFigures> RunAsync(PostgresServer server, Options options, Action<string> log)
    {
        var database = await server.CreateDatabaseAsync("chaos");
        await using var cluster = new ProductCluster(database, $"chaos-{Guid.NewGuid():N}"[..14]);
        var settings = PipelineLoad.Settings();
        settings["ANONYMOUS_CREATIONS_PER_ADDRESS"] = "1000000";
        settings["SHUTDOWN_DRAIN_SEC"] = "2";
        var front1 = cluster.AddFrontEnd("front-1", settings);
        var front2 = cluster.AddFrontEnd("front-2", settings);
        var silo = cluster.AddHeadless("silo", settings);
        var ready = TimeSpan.FromMinutes(3);
        try
        {
            // The first node applies the schema; the others then join.
            front1.Start();
            await front1.WaitReadyAsync(ready);
            front2.Start();
            silo.Start();
            await Task.WhenAll(front2.WaitReadyAsync(ready), silo.WaitReadyAsync(ready));
            return await LoadAsync(cluster, front1, front2, silo, options, log);
        }
        catch
        {
            foreach (var node in cluster.Nodes)
            {
                log($"--- {node.Name}\n{string.Join('\n', node.Tail(30).Split('\n').Select(line => line.Length > 400 ? line[..400] : line))}");
            }

            throw;
        }
    }

    private static async Task<ChaosFigures> LoadAsync(ProductCluster cluster, ProductNode front1, ProductNode front2, ProductNode silo, Options options, Action<string> log)
    {
        using var context = new ChaosContext([front1.HttpAddress, front2.HttpAddress], ProductCluster.AdminToken);
        var connections = new Connections(context);
        var accounts = new AccountsLoad(context);
        var relay = new RelayLoad(context, connections);
        var rooms = new RoomsLoad(context, connections);
        var pipeline = new PipelineLoad(context);
        var stream = new PipelineStreamLoad(context, connections);
        await relay.PrepareAsync(options.RelayPeople);
        await rooms.PrepareAsync(options.Rooms);

        // The console's stream watches until every job has been checked, after the rest of the load stopped.
        using var stopWatching = new CancellationTokenSource();
        var watching = stream.RunAsync(stopWatching.Token);
        try
        {
            await stream.Watching.WaitAsync(TimeSpan.FromMinutes(1));
            var watchedFrom = context.Now;

            using var stop = new CancellationTokenSource();
            var load = new List<Task>();
            load.AddRange(Enumerable.Range(0, options.AccountWorkers).Select(worker => accounts.RunAsync(worker, stop.Token)));
            load.AddRange(relay.Run(stop.Token));
            load.AddRange(rooms.Run(stop.Token));
            load.Add(pipeline.CreateAsync(stop.Token));
            load.Add(pipeline.DriveAsync(stop.Token));
            context.Mark("load started");
            var steps = new List<string>();
            var figures = new ChaosFigures();
            try
            {
                await Eventually.TrueAsync(() => connections.AllConnected && relay.Received > 20 && rooms.TelemetryReceived > 20,
                    $"every client is connected and messages flow (down: {connections.DownList})", TimeSpan.FromMinutes(2));

                var (moved, failures) = await MetricsAsync(cluster, context, accounts, rooms, pipeline);
                var rounds = 0;
                var deadline = context.Now + options.Duration.TotalSeconds;
                while (rounds < options.MinimumRounds || context.Now < deadline)
                {
                    rounds++;
                    foreach (var node in new[] { front1, front2, silo })
                    {
                        steps.Add(await DisruptAsync(context, connections, node, kill: false));
                    }

                    foreach (var node in new[] { front1, silo })
                    {
                        steps.Add(await DisruptAsync(context, connections, node, kill: true));
                    }

                    log($"round {rounds} done at {context.Now:F0}s");
                }

                // The load goes on after the last restart: proof that it was not only surviving on the way out.
                var received = relay.Received;
                var sessions = accounts.Sessions;
                await Eventually.TrueAsync(() => relay.Received > received + 20 && accounts.Sessions > sessions + 2,
                    "the load goes on after the last step", TimeSpan.FromMinutes(2));
                figures = figures with { Rounds = rounds, MetricsMoved = moved, MetricsFailures = failures };
            }
            finally
            {
                await stop.CancelAsync();
                context.Mark("load stopped");
                await Task.WhenAll(load).WaitAsync(TimeSpan.FromMinutes(2));
            }

            var lostWrites = new List<string>();
            lostWrites.AddRange(await accounts.LostAsync());
            lostWrites.AddRange(await rooms.LostAsync());
            var (jobsLost, unfinished, lateness) = await pipeline.CheckAsync(TimeSpan.FromMinutes(2));
            lostWrites.AddRange(jobsLost);
            // Live delivery may lag the stored events a little after the last step (the hubs renew their watches when
            // membership declares the killed node dead); what counts is that every event arrives, well within the hubs'
            // periodic renewal (which alone would leave up to 30 s of silence).
            var watchedJobs = pipeline.JobsSince(watchedFrom).ToList();
            var streamMissed = new List<string>();
            try
            {
                await Eventually.TrueAsync(async () => (streamMissed = await stream.MissedAsync(watchedJobs)).Count == 0,
                    "the all-jobs stream brought every stored event", WebFrontend.Pipeline.PipelineEventHub.RenewEvery / 2);
            }
            catch (TimeoutException)
            {
                // Reported with the figures below.
            }
            await stopWatching.CancelAsync();
            await watching.WaitAsync(TimeSpan.FromMinutes(1));
            var relayLost = await relay.LostAsync();
            var kills = context.Kills.ToList();
            var lostSet = relayLost.Select(m => (m.Pair, m.Seq)).ToHashSet();
            var sentByConnection = relay.Pairs.ToDictionary(p => p.Name, p => p.Sent.ToArray());
            bool LostTail(RelayLoad.LostMessage m) => m.ConnectionEndedAt is not null
                && sentByConnection[m.Pair].Where(s => s.Value.Connection == m.Connection && s.Key > m.Seq).All(s => lostSet.Contains((m.Pair, s.Key)));
            var beyond = relayLost.Where(m => !LostTail(m) && !kills.Any(k => k.At - m.SentAt is >= 0 and <= ReplayWriteBehindSeconds)).ToList();

            return figures with
            {
                Seconds = context.Now,
                LeaseSeconds = LeaseSeconds,
                Accounts = accounts.Accounts,
                Sessions = accounts.Sessions,
                Jobs = pipeline.Jobs,
                Approvals = pipeline.Approvals,
                Estops = rooms.EstopsAcknowledged,
                LostWrites = lostWrites,
                UnfinishedJobs = unfinished,
                RelaySent = relay.Sent,
                RelayLost = relayLost.Count,
                RelayLostBeyondBound = beyond,
                RelayLostWithinBound = [.. relayLost.Except(beyond)],
                RelayLostTails = [.. relayLost.Where(LostTail)],
                StreamMissed = streamMissed,
                StreamReconnects = stream.Reconnects,
                StreamResets = stream.Resets,
                StreamRepeats = stream.Repeats,
                TelemetrySent = rooms.TelemetrySent,
                TelemetryReceived = rooms.TelemetryReceived,
                EstopsUnanswered = rooms.EstopsUnanswered,
                Outages = [.. connections.Outages],
                TimerLateness = lateness,
                ServerErrors = [.. context.Errors],
                NodeFailures = [.. cluster.Nodes
                    .SelectMany(node => node.Log.Split('\n')
                        .Where(line => line.Contains(" fail: ", StringComparison.Ordinal) || line.Contains(" crit: ", StringComparison.Ordinal))
                        .Select(line => $"{node.Name}: {(line.Length > 800 ? line[..800] : line)}"))
                    .Take(30)],
                Steps = [.. steps, .. context.Timeline.Select(t => $"{t.At:F1}s {t.What}")],
            };
        }
        finally
        {
            // Whatever happened, the watcher stops with the run.
            await stopWatching.CancelAsync();
        }
    }

    /// <summary>Stops (SIGTERM) or kills (SIGKILL) one node, starts it again, and waits until every client is back.</summary>
    private static async Task<string> DisruptAsync(ChaosContext context, Connections connections, ProductNode node, bool kill)
    {
        var started = context.Now;
        if (kill)
        {
            context.MarkKill(node.Name);
            await node.KillAsync();
        }
        else
        {
            context.Mark($"SIGTERM {node.Name}");
            var code = await node.StopAsync(TimeSpan.FromMinutes(2));
            context.Mark($"{node.Name} exited {code}");
        }

        var down = context.Now;
        node.Start();
        await node.WaitReadyAsync(TimeSpan.FromMinutes(3));
        context.Mark($"{node.Name} ready");
        var readyAt = context.Now;
        await Eventually.TrueAsync(() => connections.AllConnected, $"every client is connected again after {node.Name} (down: {connections.DownList})", TimeSpan.FromMinutes(2));
        return $"{(kill ? "SIGKILL" : "SIGTERM")} {node.Name}: gone in {down - started:F1} s, ready {readyAt - started:F1} s after the signal, every client connected {context.Now - started:F1} s after it";
    }

    /// <summary>
    /// Two scrapes of every node while the load runs: between them each of the product's counters the load drives must
    /// move, sign-ins and estops at least by what the load saw acknowledged between the scrapes.
    /// </summary>
    private static async Task<(List<string> Moved, List<string> Failures)> MetricsAsync(
        ProductCluster cluster, ChaosContext context, AccountsLoad accounts, RoomsLoad rooms, PipelineLoad pipeline)
    {
        var probe = new MetricsProbe(cluster.Nodes, ProductCluster.AdminToken);
        var before = await probe.ScrapeAsync();
        var from = context.Now;
        await Eventually.TrueAsync(() => accounts.SignInsBetween(from, context.Now) >= 6 && rooms.EstopsBetween(from, context.Now) >= 2 && pipeline.JobsBetween(from, context.Now) >= 3,
            "the load moved while metrics are watched", TimeSpan.FromMinutes(2));
        var to = context.Now;
        var after = await probe.ScrapeAsync();
        var moved = new List<string>();
        var failures = new List<string>();
        foreach (var key in before.Keys)
        {
            var delta = after[key] - before[key];
            moved.Add($"{key}: +{delta}");
            if (delta <= 0)
            {
                failures.Add($"{key} did not move (+{delta})");
            }
        }

        void AtLeast(string key, int acknowledged)
        {
            if (after[key] - before[key] < acknowledged)
            {
                failures.Add($"{key} moved +{after[key] - before[key]}, fewer than the {acknowledged} the load saw acknowledged");
            }
        }

        AtLeast(MetricsProbe.Key(("orbitgrains_accounts_signins_total", "")), accounts.SignInsBetween(from, to));
        AtLeast(MetricsProbe.Key(("orbitgrains_rooms_estops_total", "")), rooms.EstopsBetween(from, to));
        AtLeast(MetricsProbe.Key(("orbitgrains_pipeline_jobs_total", "status=\"running\"")), pipeline.JobsBetween(from, to));
        return (moved, failures);
    }
}
