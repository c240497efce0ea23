namespace OrbitGrains.Accounts;

/// <summary>
/// Counts failures in a sliding window for one bucket (a user name, a client address), cluster-wide because the
/// bucket is a single activation. Kept in memory: losing it on a restart only forgives a few failures.
/// </summary>
[Alias("OrbitGrains.Accounts.IFailureCounterGrain")]
public interface IFailureCounterGrain : IGrainWithStringKey
{
    /// <summary>How long until the next attempt is allowed; zero when it is allowed now.</summary>
    [Alias("RetryAfter")]
    Task<TimeSpan> RetryAfter(FailureLimit limit);

    [Alias("RecordFailure")]
    Task RecordFailure(FailureLimit limit);
}

[GenerateSerializer, Immutable, Alias("OrbitGrains.Accounts.FailureLimit")]
public sealed record FailureLimit(
    [property: Id(0)] int MaxFailures,
    [property: Id(1)] TimeSpan Window);
