using System.Globalization;
using System.Text;

namespace OrbitGrains.Tests.Operations.Chaos;

/// <summary>What a chaos run measured, and the same as the Markdown table docs/benchmarks.md shows.</summary>
public sealed record ChaosFigures
{
    public double Seconds { get; init; }
    public int Rounds { get; init; }
    public double LeaseSeconds { get; init; }
    public int Accounts { get; init; }
    public int Sessions { get; init; }
    public int Jobs { get; init; }
    public int Approvals { get; init; }
    public int Estops { get; init; }
    public List<string> LostWrites { get; init; } = [];
    public List<string> UnfinishedJobs { get; init; } = [];
    public int RelaySent { get; init; }
    public int RelayLost { get; init; }
    public List<RelayLoad.LostMessage> RelayLostBeyondBound { get; init; } = [];
    public List<RelayLoad.LostMessage> RelayLostWithinBound { get; init; } = [];
    public List<string> StreamMissed { get; init; } = [];
    public int StreamReconnects { get; init; }
    public int StreamResets { get; init; }
    public int StreamRepeats { get; init; }
    public long TelemetrySent { get; init; }
    public long TelemetryReceived { get; init; }
    public int EstopsUnanswered { get; init; }
    public List<Connections.Outage> Outages { get; init; } = [];
    public List<double> TimerLateness { get; init; } = [];
    public List<ChaosContext.ServerError> ServerErrors { get; init; } = [];

    /// <summary>The nodes' error and critical log lines (at most 30), so an unexpected 5xx comes with its cause.</summary>
    public List<string> NodeFailures { get; init; } = [];
    public List<string> Steps { get; init; } = [];
    public List<string> MetricsMoved { get; init; } = [];
    public List<string> MetricsFailures { get; init; } = [];

    /// <summary>A timer is late when it fires more than this after its due time.</summary>
    public const double LateAfterSeconds = 1;

    /// <summary>The oldest lost frame of a connection's tail: seconds from its sending to the connection's end.</summary>
    /// <summary>
    /// Of the messages lost within the bound, those lost as a connection's tail (the rest are replays a SIGKILL took
    /// in the write-behind window, whose connections may have lived on long after).
    /// </summary>
    public List<RelayLoad.LostMessage> RelayLostTails { get; init; } = [];

    public double LongestLostTail => RelayLostTails.Select(m => m.ConnectionEndedAt!.Value - m.SentAt).DefaultIfEmpty(0).Max();

    public double MaxOutage => Outages.Count == 0 ? 0 : Outages.Max(o => o.Seconds);

    public int UnexpectedServerErrors => ServerErrors.Count(e => !e.Documented);

    public string Markdown()
    {
        var text = new StringBuilder();
        string F(double value) => value.ToString("0.0", CultureInfo.InvariantCulture);
        text.AppendLine($"| figure | value |");
        text.AppendLine("|---|---|");
        text.AppendLine($"| run | {F(Seconds)} s, {Rounds} round(s) of: rolling restart of every node, SIGKILL of a front end, SIGKILL of the headless silo |");
        text.AppendLine($"| acknowledged writes | {Accounts} sign-ups, {Sessions} sessions, {Jobs} jobs, {Approvals} gate decisions, {Estops} estop audits |");
        text.AppendLine($"| acknowledged writes lost | {LostWrites.Count} |");
        text.AppendLine($"| jobs not completed afterwards | {UnfinishedJobs.Count} |");
        text.AppendLine($"| relay messages sent / lost / lost beyond the bound | {RelaySent} / {RelayLost} / {RelayLostBeyondBound.Count} |");
        text.AppendLine($"| longest lost tail of a relay connection (sent that long before the connection ended) | {F(LongestLostTail)} s |");
        text.AppendLine($"| all-jobs stream: reconnects (Last-Event-ID) / resets / events repeated / jobs with events it missed | {StreamReconnects} / {StreamResets} / {StreamRepeats} / {StreamMissed.Count} |");
        text.AppendLine($"| room telemetry sent / received (no replay in this protocol) | {TelemetrySent} / {TelemetryReceived} |");
        text.AppendLine($"| estops unanswered (socket cut before the ack) | {EstopsUnanswered} |");
        text.AppendLine($"| socket outages / longest (target <= 2 leases = {F(2 * LeaseSeconds)} s) | {Outages.Count} / {F(MaxOutage)} s |");
        var late = TimerLateness.Where(l => l > LateAfterSeconds).ToList();
        text.AppendLine($"| gate timers fired / late by > {F(LateAfterSeconds)} s / latest | {TimerLateness.Count} / {late.Count} / {(TimerLateness.Count == 0 ? "-" : F(TimerLateness.Max()) + " s")} |");
        text.AppendLine($"| 5xx answers: 503 with Retry-After (stopping node, lost node not yet declared dead) / other | {ServerErrors.Count - UnexpectedServerErrors} / {UnexpectedServerErrors} |");
        return text.ToString();
    }

    /// <summary>Lost messages as runs of consecutive numbers of one pair: when sent, and when their connection ended.</summary>
    private static IEnumerable<string> Ranges(IEnumerable<RelayLoad.LostMessage> lost)
    {
        var runs = new List<List<RelayLoad.LostMessage>>();
        foreach (var message in lost.OrderBy(m => m.Pair).ThenBy(m => m.Seq))
        {
            if (runs.Count > 0 && runs[^1][^1] is var last && last.Pair == message.Pair && last.Seq + 1 == message.Seq)
            {
                runs[^1].Add(message);
            }
            else
            {
                runs.Add([message]);
            }
        }

        return runs.Select(run => $"{run[0].Pair} #{run[0].Seq}-{run[^1].Seq}: sent {run[0].SentAt:F1}-{run[^1].SentAt:F1}s on anchor connection {run[0].Connection}, which ended at {(run[0].ConnectionEndedAt is { } ended ? $"{ended:F1}s" : "the end")}");
    }

    /// <summary>Everything, for a failure message or the long form's log.</summary>
    public string Details()
    {
        var text = new StringBuilder(Markdown());
        void List<T>(string title, IEnumerable<T> items)
        {
            var all = items.ToList();
            if (all.Count > 0)
            {
                text.AppendLine($"\n{title} ({all.Count}):");
                foreach (var item in all.Take(40))
                {
                    text.AppendLine($"  {item}");
                }
            }
        }

        List("steps", Steps);
        List("metrics moved", MetricsMoved);
        List("metrics that did not move as the load says", MetricsFailures);
        List("lost writes", LostWrites);
        List("unfinished jobs", UnfinishedJobs);
        List("events the all-jobs stream missed", StreamMissed);
        List("relay messages lost beyond the bound", Ranges(RelayLostBeyondBound));
        List("relay messages lost within the bound", Ranges(RelayLostWithinBound));
        List("outages", Outages.OrderByDescending(o => o.Seconds));
        List("5xx", ServerErrors);
        List("node log failures", NodeFailures);
        List("late timers (s)", TimerLateness.Where(l => l > LateAfterSeconds).Select(l => l.ToString("0.00", CultureInfo.InvariantCulture)));
        return text.ToString();
    }
}
