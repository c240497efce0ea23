using System.Net.WebSockets;
using OrbitGrains.WebFrontend.Hosting.Access;
using OrbitGrains.WebFrontend.Sockets;

namespace OrbitGrains.WebFrontend.Cloud;

/// <summary>
/// What ends an open instance proxy from outside its two peers, and with which close code: the front end stopping
/// (1001, <see cref="GoingAway"/>: the browser reconnects to another node) or the caller's access ending (1008 with the
/// lease's reason: "Account disabled", "Signed out", "Session ended"; <see cref="AccessLease"/>), so a disabled or
/// signed-out account's desktop and agent are cut off at once rather than at the browser's leisure; or the instance
/// leaving running (1008 "Instance not running", seen at the proxy's heartbeat).
/// </summary>
public sealed class ProxyEnding(CancellationToken stopping, AccessLease access, CancellationToken instanceGone)
{
    /// <summary>The close reason when the instance left running.</summary>
    public const string InstanceNotRunning = "Instance not running";

    /// <summary>
    /// Calls <paramref name="close"/> once, with the status and reason of whichever ending comes first (at once when one
    /// already has), until the returned registration is disposed. It runs on the thread that signalled the ending, so it
    /// only starts the close.
    /// </summary>
    public IDisposable OnEnd(Action<WebSocketCloseStatus, string> close)
    {
        var once = new Once(close);
        var stopped = stopping.Register(static state => ((Once)state!).Run(GoingAway.Status, GoingAway.Reason), once);
        var ended = access.Ended.Register(() => once.Run(WebSocketCloseStatus.PolicyViolation, access.Reason ?? "Session ended"));
        var gone = instanceGone.Register(static state => ((Once)state!).Run(WebSocketCloseStatus.PolicyViolation, InstanceNotRunning), once);
        return new Registrations([stopped, ended, gone]);
    }

    private sealed class Once(Action<WebSocketCloseStatus, string> close)
    {
        private int _ran;

        public void Run(WebSocketCloseStatus status, string reason)
        {
            if (Interlocked.Exchange(ref _ran, 1) == 0)
            {
                close(status, reason);
            }
        }
    }

    private sealed class Registrations(CancellationTokenRegistration[] registrations) : IDisposable
    {
        public void Dispose()
        {
            foreach (var registration in registrations)
            {
                registration.Dispose();
            }
        }
    }
}
