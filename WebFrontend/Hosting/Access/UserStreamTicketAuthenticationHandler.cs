using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using OrbitGrains.Accounts;
using OrbitGrains.Pipeline;

namespace OrbitGrains.WebFrontend.Hosting.Access;

/// <summary>
/// <see cref="OrbitAuthSchemes.UserStreamTicket"/>: `?ticket=` from `POST /v1/stream/ticket`, on the live feed only
/// (<see cref="UserStreamTickets.Policy"/>). Redeems the ticket (once) and yields its person as a member, as a bearer of
/// theirs would; refusals say why (expired, another stream, used, account no longer signed in), so the client asks for
/// a new one.
/// </summary>
public sealed class UserStreamTicketAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, IGrainFactory grains, SignInChecks checks)
    : CredentialAuthenticationHandler(options, logger, encoder)
{
    public override bool ExplainsRefusals => true;

    public override bool SingleUse => true;

    protected override string? ReadCredential()
    {
        var values = Request.Query[UserStreamTickets.QueryKey];
        // Two tickets are no ticket: refused, rather than one chosen silently.
        return values.Count switch { 0 => null, 1 => values[0] ?? "", _ => "" };
    }

    public override async Task<ClaimsPrincipal?> ValidateAsync(string credential)
    {
        if (!UserStreamTickets.LooksLikeTicket(credential))
        {
            Refusal = "Invalid stream ticket.";
            return null;
        }

        var redemption = await grains.GetGrain<IStreamTicketGrain>(TokenHash.Of(credential)).Redeem(UserStreamTickets.Scope);
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

        // The account decides as it does for a bearer: disabled, signed out everywhere since the ticket was issued, or the
        // issuer's sign-in ended (logout), is refused.
        var issuedAt = grant.ExpiresAt - UserStreamTickets.Lifetime;
        if (await checks.IssuerAsync(grant.Operator, grant.FamilyId, grant.TokenHash, issuedAt) is not { } user)
        {
            Refusal = "Stream ticket's account is no longer signed in.";
            return null;
        }

        Context.SetAccount(user);
        // The issuer's sign-in (or user token) goes with the stream, so its logout (or replacement) ends the stream too.
        return OrbitPrincipals.ForUser(user, OrbitAuthSchemes.UserStreamTicket, familyId: grant.FamilyId, tokenHash: grant.TokenHash);
    }
}
