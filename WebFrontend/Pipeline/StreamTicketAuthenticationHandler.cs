using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using OrbitGrains.Pipeline;
using OrbitGrains.WebFrontend.Hosting.Access;

namespace OrbitGrains.WebFrontend.Pipeline;

/// <summary>
/// Authenticates ?ticket= on an event stream route: redeems the ticket for the stream the route names (the {id}
/// job's, or all jobs' when the route has none) and yields the issuing operator, with the credential kind
/// <see cref="StreamTickets.Scheme"/> and the stream it is good for. No ticket: no result. The ticket is spent only
/// when it matches the stream (a ticket shown to another stream is refused and stays usable for its own). Its
/// refusals say why (expired, another stream, used), so the client knows to ask for a new one.
/// </summary>
public sealed class StreamTicketAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IGrainFactory grains,
    SignInChecks checks)
    : CredentialAuthenticationHandler(options, logger, encoder)
{
    public override bool ExplainsRefusals => true;

    public override bool SingleUse => true;

    protected override string? ReadCredential()
    {
        var values = Request.Query[StreamTickets.QueryKey];
        // Two tickets are no ticket: refused, rather than one chosen silently.
        return values.Count switch { 0 => null, 1 => values[0] ?? "", _ => "" };
    }

    public override async Task<ClaimsPrincipal?> ValidateAsync(string credential)
    {
        if (!StreamTickets.LooksLikeTicket(credential))
        {
            Refusal = "Invalid stream ticket.";
            return null;
        }

        var scope = Context.GetRouteValue("id") is string jobId ? StreamTicketScopes.Job(jobId) : StreamTicketScopes.AllJobs;
        var redemption = await grains.GetGrain<IStreamTicketGrain>(StreamTickets.Key(credential)).Redeem(scope);
        if (redemption is not { Status: StreamTicketStatus.Accepted, Grant: { } grant })
        {
            Refusal = redemption.Status switch
            {
                StreamTicketStatus.Expired => "Stream ticket has expired.",
                StreamTicketStatus.WrongScope => "Stream ticket is for another stream.",
                _ => "Stream ticket is unknown or already used.",
            };
            return null;
        }

        if (grant.UserId is not { } userId)
        {
            // No person asked (the admin token): the ticket carries the roles of the static credential behind it.
            return new ClaimsPrincipal(new ClaimsIdentity(
                [
                    new Claim(OrbitClaims.Name, grant.Operator),
                    new Claim(OrbitClaims.Credential, StreamTickets.Scheme),
                    new Claim(StreamTickets.ScopeClaim, grant.Scope),
                    .. grant.Roles.Select(role => new Claim(OrbitClaims.Role, role)),
                ],
                StreamTickets.Scheme, OrbitClaims.Name, OrbitClaims.Role));
        }

        // A person's ticket speaks for the account as it is now, as their bearer would: disabled, signed out everywhere
        // since the ticket was issued, or no longer an operator (the policy's role check) is refused.
        var issuedAt = grant.ExpiresAt - StreamTickets.Lifetime;
        if (await checks.IssuerAsync(userId, grant.FamilyId, grant.TokenHash, issuedAt) is not { } user)
        {
            Refusal = "Stream ticket's account is no longer signed in.";
            return null;
        }

        Context.SetAccount(user);
        var principal = OrbitPrincipals.ForUser(user, StreamTickets.Scheme, familyId: grant.FamilyId, tokenHash: grant.TokenHash);
        ((ClaimsIdentity)principal.Identity!).AddClaim(new Claim(StreamTickets.ScopeClaim, grant.Scope));
        return principal;
    }
}
