using System.Diagnostics;

namespace OrbitGrains.Hosting;

/// <summary>
/// The clock of the Orleans runtime's own machinery (membership and its watchdog, messaging, system timers, activation
/// and directory management): real time, with timestamps counted from this clock's first reading.
/// </summary>
/// <remarks>
/// Why: Orleans 10.4.2's <c>Watchdog.Start</c> starts its platform thread before it stamps the time of the component
/// check. When that thread checks first (often, on a busy machine), it reads the unstamped 0 as a timestamp; with
/// the system clock, whose timestamps count from boot, it warns "Participant check thread has not completed for
/// &lt;the machine's uptime&gt;" at start and records a stall against the silo's health score. Counted from the first
/// reading, the unstamped 0 is "just now". Also, Orleans resolves every keyed runtime clock to whatever TimeProvider
/// the host registers: a host that moves its clock for its grains (tests do) must not move membership's.
/// </remarks>
public sealed class OrleansRuntimeClock : TimeProvider
{
    private long _origin;

    /// <summary>Orleans' keys (<see cref="Orleans.Runtime.TimeProviderNames"/>) of the runtime's clocks; grains keep the host's.</summary>
    public static readonly string[] RuntimeKeys =
    [
        Orleans.Runtime.TimeProviderNames.Membership,
        Orleans.Runtime.TimeProviderNames.Messaging,
        Orleans.Runtime.TimeProviderNames.SystemTimers,
        Orleans.Runtime.TimeProviderNames.ActivationManagement,
        Orleans.Runtime.TimeProviderNames.GrainDirectory,
    ];

    public override long GetTimestamp()
    {
        var now = Stopwatch.GetTimestamp();
        // One tick before the first reading, so no reading is ever 0, a value code may take for "not set".
        var origin = Interlocked.CompareExchange(ref _origin, now - 1, 0);
        return now - (origin == 0 ? now - 1 : origin);
    }
}
