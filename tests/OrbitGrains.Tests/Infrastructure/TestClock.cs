namespace OrbitGrains.Tests.Infrastructure;

/// <summary>
/// The real clock plus an offset a test can move forward. Only the wall-clock reading shifts: timers and timestamps
/// stay real, so the silo's own machinery keeps running while the product sees time jump.
/// </summary>
public sealed class TestClock : TimeProvider
{
    private long _offsetTicks;

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);
}
