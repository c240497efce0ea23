using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using OrbitGrains.Pipeline;

namespace OrbitGrains.WebFrontend.Pipeline;

/// <summary>
/// Authenticates ?ticket= on an event stream route: redeems the ticket for the stream the route names (the {id}
/// job's, or all jobs' when the route has none) and yields the issuing operator, with a credential-kind claim of
/// "stream_ticket" and the stream it is good for. No ticket: no result. The ticket is spent only when it matches
/// the stream (a ticket shown to another stream is refused and stays usable for its own).
/// </summary>
public sealed class StreamTicketAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IGrainFactory grains)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var values = Request.Query[StreamTickets.QueryKey];
        if (values.Count == 0)
        {
            return AuthenticateResult.NoResult();
        }

        if (values.Count > 1 || values[0] is not { } ticket || !StreamTickets.LooksLikeTicket(ticket))
        {
            return AuthenticateResult.Fail("Invalid stream ticket.");
        }

        var scope = Context.GetRouteValue("id") is string jobId ? StreamTicketScopes.Job(jobId) : StreamTicketScopes.AllJobs;
        var redemption = await grains.GetGrain<IStreamTicketGrain>(StreamTickets.Key(ticket)).Redeem(scope);
        if (redemption is not { Status: StreamTicketStatus.Accepted, Grant: { } grant })
        {
            return AuthenticateResult.Fail(redemption.Status switch
            {
                StreamTicketStatus.Expired => "Stream ticket has expired.",
                StreamTicketStatus.WrongScope => "Stream ticket is for another stream.",
                _ => "Stream ticket is unknown or already used.",
            });
        }

        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.Name, grant.Operator),
                new Claim(StreamTickets.CredentialKindClaim, StreamTickets.CredentialKind),
                new Claim(StreamTickets.ScopeClaim, grant.Scope),
                .. grant.Roles.Select(role => new Claim(ClaimTypes.Role, role)),
            ],
            Scheme.Name, ClaimTypes.Name, ClaimTypes.Role);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }
}
