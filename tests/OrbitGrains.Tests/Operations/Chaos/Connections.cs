using System.Collections.Concurrent;

namespace OrbitGrains.Tests.Operations.Chaos;

/// <summary>
/// Which of the run's long-lived clients (relay clients and anchors, room participants) are connected, and every
/// outage each one had: from the moment it noticed its socket was gone to the moment it was back in its session.
/// </summary>
public sealed class Connections(ChaosContext context)
{
    private readonly ConcurrentDictionary<string, (double At, string Cause)> _down = new();
    private readonly ConcurrentDictionary<string, bool> _known = new();
    private readonly ConcurrentQueue<Outage> _outages = new();

    /// <param name="Cause">How the socket ended: a close code, or the error that ended it.</param>
    public sealed record Outage(string Who, double LostAt, double BackAt, string Cause)
    {
        public double Seconds => BackAt - LostAt;
    }

    public IReadOnlyCollection<Outage> Outages => _outages;

    public int Down => _down.Count;

    public bool AllConnected => _down.IsEmpty && !_known.IsEmpty;

    public string DownList => string.Join(", ", _down.Select(d => $"{d.Key} since {d.Value.At:F1}s ({d.Value.Cause})"));

    /// <summary>A client that has not connected yet: down since now, and its first connection is no outage.</summary>
    public void Starting(string who)
    {
        _known[who] = true;
        _down[who] = (context.Now, "start");
    }

    public void Lost(string who, string cause) => _down.TryAdd(who, (context.Now, cause));

    public void Back(string who)
    {
        if (_down.TryRemove(who, out var down) && down.Cause != "start")
        {
            _outages.Enqueue(new Outage(who, down.At, context.Now, down.Cause));
        }
    }
}
