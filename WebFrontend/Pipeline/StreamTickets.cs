using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using OrbitGrains.Pipeline;

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

    public const string QueryKey = "ticket";

    /// <summary>The claim naming the kind of credential a principal came from; a ticket's principal has <see cref="CredentialKind"/>.</summary>
    public const string CredentialKindClaim = "credential_kind";

    public const string CredentialKind = "stream_ticket";

    /// <summary>The stream a ticket's principal may open (see <see cref="StreamTicketScopes"/>).</summary>
    public const string ScopeClaim = "stream_scope";

    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(60);

    private const string Prefix = "pst_";

    /// <summary>A ticket for one stream, acting as the given operator with their operator/admin roles.</summary>
    public async Task<(string Ticket, DateTimeOffset ExpiresAt)> IssueAsync(string scope, ClaimsPrincipal issuer)
    {
        var expiresAt = clock.GetUtcNow() + Lifetime;
        var roles = issuer.FindAll(ClaimTypes.Role).Select(claim => claim.Value)
            .Where(role => role is Admin.OrbitAuthSchemes.AdminRole or PipelineAccess.OperatorRole).Distinct().ToArray();
        var grant = new StreamTicketGrant(scope, issuer.Identity?.Name ?? "operator", roles, expiresAt);
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
