using System.Security.Cryptography;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.WebUtilities;
using OrbitGrains.Accounts;
using OrbitGrains.Pipeline;

namespace OrbitGrains.WebFrontend.Hosting.Access;

/// <summary>
/// Tickets for a person's own live feed (`GET /v1/stream`, spec jarvis.md "Later versions added ... server-sent event
/// streams"), for a browser's EventSource, which cannot send Authorization. As the Pipeline's stream tickets: 256 random
/// bits, good for 60 s, once, kept only as their SHA-256 in an <see cref="IStreamTicketGrain"/> (scope
/// <see cref="Scope"/>, so a Pipeline ticket is refused here and this one there). The ticket names the person who asked
/// for it; the stream opened with it is that person's, and only while their account still accepts the sign-in.
/// </summary>
public sealed class UserStreamTickets(IGrainFactory grains, TimeProvider clock)
{
    /// <summary>The policy of the live feed: a person by any bearer the product accepts for one, or by ticket.</summary>
    public const string Policy = "user-stream";

    /// <summary>The ticket's scope in <see cref="IStreamTicketGrain"/>.</summary>
    public const string Scope = "user-feed";

    public const string QueryKey = "ticket";

    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(60);

    private const string Prefix = "ust_";

    /// <summary>
    /// Bearer or ticket, a member either way; a ticket that is presented decides on its own (the stream then belongs to
    /// the ticket's person, whatever else the request carries).
    /// </summary>
    public static AuthorizationPolicy BuildPolicy() => OrbitPolicies.Build(OrbitAuthSchemes.Default, OrbitAuthSchemes.UserStreamTicket)
        .RequireRole(AccountRoles.Member)
        .RequireAssertion(context => context.Resource is not HttpContext http || !Presented(http.Request)
            || context.User.HasClaim(OrbitClaims.Credential, OrbitAuthSchemes.UserStreamTicket))
        .Build();

    /// <summary>A ticket for the live feed of <paramref name="issuer"/> (a person), bound to their sign-in, and when it expires.</summary>
    public async Task<(string Ticket, DateTimeOffset ExpiresAt)> IssueAsync(CurrentUser issuer)
    {
        var expiresAt = clock.GetUtcNow() + Lifetime;
        var grant = new StreamTicketGrant(Scope, issuer.Id!, [], expiresAt, issuer.Id, issuer.FamilyId, issuer.FamilyId is null ? issuer.TokenHash : null);
        while (true)
        {
            var ticket = Prefix + WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
            if (await grains.GetGrain<IStreamTicketGrain>(TokenHash.Of(ticket)).Issue(grant))
            {
                return (ticket, expiresAt);
            }
        }
    }

    /// <summary>Whether the request presents a ticket.</summary>
    public static bool Presented(HttpRequest request) => request.Query.ContainsKey(QueryKey);

    public static bool LooksLikeTicket(string value) => value.StartsWith(Prefix, StringComparison.Ordinal) && value.Length is > 10 and < 100;
}
