namespace OrbitGrains.Accounts;

/// <summary>
/// A sliding-window counter of attempts for one bucket (a user name, a client address), cluster-wide because the bucket
/// is a single activation. An attempt reserves its slot here before it is checked, so parallel guesses can never check
/// more than the limit; a successful attempt gives its slot back. Kept in memory: losing it on a restart only forgives
/// a few attempts.
/// </summary>
[Alias("OrbitGrains.Accounts.IFailureCounterGrain")]
public interface IFailureCounterGrain : IGrainWithStringKey
{
    /// <summary>Takes a slot when fewer than <see cref="FailureLimit.MaxFailures"/> are taken within the window.</summary>
    [Alias("Reserve")]
    Task<AttemptReservation> Reserve(FailureLimit limit);

    /// <summary>Gives a reserved slot back (the attempt succeeded); unknown or lapsed ids change nothing.</summary>
    [Alias("Refund")]
    Task Refund(long reservationId);
}

[GenerateSerializer, Immutable, Alias("OrbitGrains.Accounts.FailureLimit")]
public sealed record FailureLimit(
    [property: Id(0)] int MaxFailures,
    [property: Id(1)] TimeSpan Window);

/// <param name="Id">Identifies the slot for <see cref="IFailureCounterGrain.Refund"/>; 0 when refused.</param>
/// <param name="RetryAfter">When refused: how long until a slot frees.</param>
[GenerateSerializer, Immutable, Alias("OrbitGrains.Accounts.AttemptReservation")]
public sealed record AttemptReservation(
    [property: Id(0)] bool Allowed,
    [property: Id(1)] long Id,
    [property: Id(2)] TimeSpan RetryAfter);
