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

    /// <summary>
    /// Keeps <paramref name="who"/> connected until <paramref name="stop"/>, as a real client that reconnects does: each
    /// attempt opens <paramref name="path"/> on front end number <paramref name="front"/> (the next one after every
    /// loss, 200 ms later) and hands the socket to <paramref name="session"/>, which greets, calls <see cref="Back"/>
    /// once the peer is in its session and returns when the socket ends or stop fires. Each loss is recorded with how
    /// the socket ended (its close code, or the error that ended the attempt); <paramref name="lost"/> hears of it first.
    /// </summary>
    public async Task KeepConnectedAsync(string who, int front, string path, Func<OrbitSocket, Task> session, Action? lost, CancellationToken stop)
    {
        Starting(who);
        while (!stop.IsCancellationRequested)
        {
            string cause;
            OrbitSocket? socket = null;
            try
            {
                socket = await OrbitSocket.ConnectAsync(context.FrontEnd(front), path);
                await session(socket);
                cause = socket.Closed.IsCompleted ? $"close {(int?)socket.CloseStatus}" : "stopped";
            }
            catch (Exception ex)
            {
                cause = socket?.CloseStatus is { } status ? $"close {(int)status}" : ex.GetType().Name;
            }
            finally
            {
                if (socket is not null)
                {
                    await socket.DisposeAsync();
                }
            }

            if (!stop.IsCancellationRequested)
            {
                lost?.Invoke();
                Lost(who, cause);
                front++;
                await AccountsLoad.Pace(TimeSpan.FromMilliseconds(200), stop);
            }
        }
    }

    public void Back(string who)
    {
        if (_down.TryRemove(who, out var down) && down.Cause != "start")
        {
            _outages.Enqueue(new Outage(who, down.At, context.Now, down.Cause));
        }
    }
}
