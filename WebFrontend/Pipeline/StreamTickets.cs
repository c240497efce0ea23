using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.WebUtilities;
using OrbitGrains.Accounts;
using OrbitGrains.Pipeline;
using OrbitGrains.WebFrontend.Hosting.Access;

namespace OrbitGrains.WebFrontend.Pipeline;

/// <summary>
/// Stream tickets: what a browser's EventSource, which cannot send Authorization, presents instead of a bearer.
/// A ticket is 256 random bits, valid for one stream (one job's, or the all-jobs stream), for 60 s, once; it is
/// kept only as its SHA-256, in a <see cref="IStreamTicketGrain"/>. Only the two stream routes accept it, as
/// ?ticket=, through <see cref="StreamTicketAuthenticationHandler"/>; as a bearer it is refused everywhere.
/// </summary>
public sealed class StreamTickets(IGrainFactory grains, TimeProvider clock)
{
    /// <summary>The authentication scheme of <see cref="StreamTicketAuthenticationHandler"/>.</summary>
    public const string Scheme = "pipeline-stream-ticket";

    /// <summary>The event streams' policy: an operator or admin by bearer (as the rest of the console) or by ticket.</summary>
    public const string Policy = "pipeline-stream";

    /// <summary>
    /// Bearer or ticket, with the operator or admin role; a ticket that is presented decides on its own (a stream
    /// opened with one acts as the operator who asked for it, whatever else the request carries).
    /// </summary>
    public static AuthorizationPolicy BuildPolicy() => OrbitPolicies.Build(OrbitAuthSchemes.Default, Scheme)
        .RequireRole(AccountRoles.Operator, AccountRoles.Admin)
        .RequireAssertion(context => context.Resource is not HttpContext http || !Presented(http.Request)
            || context.User.HasClaim(OrbitClaims.Credential, Scheme))
        .Build();

    public const string QueryKey = "ticket";

    /// <summary>The stream a ticket's principal may open (see <see cref="StreamTicketScopes"/>).</summary>
    public const string ScopeClaim = "stream_scope";

    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(60);

    private const string Prefix = "pst_";

    /// <summary>
    /// A ticket for one stream, acting as the given operator with their operator/admin roles; a person's ticket names
    /// their account and sign-in, which decide again at redemption (<see cref="StreamTicketAuthenticationHandler"/>).
    /// </summary>
    public async Task<(string Ticket, DateTimeOffset ExpiresAt)> IssueAsync(string scope, ClaimsPrincipal issuer)
    {
        issuer = issuer.Identities.Count() > 1 ? new ClaimsPrincipal(issuer.Identities.First(i => i.IsAuthenticated)) : issuer;
        var expiresAt = clock.GetUtcNow() + Lifetime;
        var roles = issuer.FindAll(ClaimTypes.Role).Select(claim => claim.Value)
            .Where(role => role is AccountRoles.Admin or AccountRoles.Operator).Distinct().ToArray();
        var person = CurrentUser.From(issuer);
        var grant = new StreamTicketGrant(scope, issuer.Identity?.Name ?? "operator", roles, expiresAt, person?.Id, person?.FamilyId,
            person is { FamilyId: null } ? person.TokenHash : null);
        while (true)
        {
            var ticket = Prefix + WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
            if (await grains.GetGrain<IStreamTicketGrain>(Key(ticket)).Issue(grant))
            {
                return (ticket, expiresAt);
            }
        }
    }

    /// <summary>The grain key of a ticket: its SHA-256, so the ticket itself is stored nowhere.</summary>
    public static string Key(string ticket) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ticket)));

    /// <summary>Whether the request presents a ticket (it then decides, whatever else the request carries).</summary>
    public static bool Presented(HttpRequest request) => request.Query.ContainsKey(QueryKey);

    public static bool LooksLikeTicket(string value) => value.StartsWith(Prefix, StringComparison.Ordinal) && value.Length is > 10 and < 100;
}
