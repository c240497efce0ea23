namespace OrbitGrains.Shared;

/// <summary>
/// One token bucket per key (for example "pipeline-jobs:127.0.0.1"). A single activation per key in the cluster
/// is what makes a limit hold cluster-wide rather than per front end.
/// </summary>
[Alias("OrbitGrains.Shared.IRateLimitGrain")]
public interface IRateLimitGrain : IGrainWithStringKey
{
    [Alias("TryAcquire")]
    Task<RateLimitDecision> TryAcquire(RateLimitPolicy policy);
}

/// <param name="Capacity">Tokens the bucket holds when full: what a client may spend at once.</param>
/// <param name="RefillPerMinute">Tokens added back per minute, continuously.</param>
[GenerateSerializer, Immutable, Alias("OrbitGrains.Shared.RateLimitPolicy")]
public sealed record RateLimitPolicy([property: Id(0)] int Capacity, [property: Id(1)] int RefillPerMinute);

/// <param name="RetryAfterSeconds">Whole seconds until a token is available again (0 when allowed).</param>
[GenerateSerializer, Immutable, Alias("OrbitGrains.Shared.RateLimitDecision")]
public sealed record RateLimitDecision([property: Id(0)] bool Allowed, [property: Id(1)] int RetryAfterSeconds);
