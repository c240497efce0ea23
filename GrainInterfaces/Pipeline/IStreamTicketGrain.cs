namespace OrbitGrains.Pipeline;

/// <summary>
/// One stream ticket [key: SHA-256 of the ticket, lower-case hex; the ticket itself is never stored]: a short-lived,
/// single-use credential for one event stream, for browsers, whose EventSource cannot send Authorization.
/// </summary>
/// <remarks>Held in memory only: a ticket lives 60 s, and one lost with its silo is simply refused (the client asks for another).</remarks>
[Alias("OrbitGrains.Pipeline.IStreamTicketGrain")]
public interface IStreamTicketGrain : IGrainWithStringKey
{
    /// <summary>Records the ticket; false when this key already holds one (then the caller makes a new ticket).</summary>
    [Alias("Issue")]
    Task<bool> Issue(StreamTicketGrant grant);

    /// <summary>Uses the ticket for the stream of scope. It works once: the first redemption for its own scope before expiry.</summary>
    [Alias("Redeem")]
    Task<StreamTicketRedemption> Redeem(string scope);
}

/// <param name="Scope">"job:&lt;id&gt;" for one job's stream, <see cref="StreamTicketScopes.AllJobs"/> for the all-jobs stream.</param>
/// <param name="Operator">Who asked for the ticket; the stream acts as them (the person's user id for a feed ticket).</param>
/// <param name="Roles">The issuer's operator/admin roles at issue (a credential naming no person, such as the admin token, keeps these).</param>
/// <param name="UserId">
/// The person who asked, when a person did: the ticket then speaks for that account as it is at redemption (disabled,
/// signed out everywhere or without the role since: refused) and a stream opened with it ends when the account does.
/// </param>
/// <param name="FamilyId">The issuer's sign-in (token family), when it had one: a stream opened with the ticket ends at its logout.</param>
/// <param name="TokenHash">
/// The issuer's user token (SHA-256 hex) when it asked with one (no sign-in): the ticket is refused, and a stream opened
/// with it ends, once that token is replaced or revoked.
/// </param>
[GenerateSerializer, Immutable, Alias("OrbitGrains.Pipeline.StreamTicketGrant")]
public sealed record StreamTicketGrant(
    [property: Id(0)] string Scope,
    [property: Id(1)] string Operator,
    [property: Id(2)] string[] Roles,
    [property: Id(3)] DateTimeOffset ExpiresAt,
    [property: Id(4)] string? UserId = null,
    [property: Id(5)] string? FamilyId = null,
    [property: Id(6)] string? TokenHash = null);

public enum StreamTicketStatus
{
    Accepted,
    Unknown,
    Expired,
    Used,
    WrongScope,
}

[GenerateSerializer, Immutable, Alias("OrbitGrains.Pipeline.StreamTicketRedemption")]
public sealed record StreamTicketRedemption([property: Id(0)] StreamTicketStatus Status, [property: Id(1)] StreamTicketGrant? Grant);

public static class StreamTicketScopes
{
    public const string AllJobs = "events:all";

    public static string Job(string jobId) => $"job:{jobId}";
}
