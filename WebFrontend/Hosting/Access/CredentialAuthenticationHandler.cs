using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace OrbitGrains.WebFrontend.Hosting.Access;

/// <summary>
/// The base of every credential kind's handler. A kind says where its credential is (<see cref="ReadCredential"/>;
/// Bearer, else ?token=, unless it overrides) and how one is validated (<see cref="ValidateAsync"/>); the base turns
/// that into the scheme's answer: no credential is no result (anonymous), a refused one is a failure, a valid one the
/// principal of <see cref="OrbitPrincipals"/>. ASP.NET Core keeps the result per request, so a credential is validated
/// once however many policies ask.
/// </summary>
/// <remarks>
/// Adding a credential kind (an agent token in `X-Agent-Token`, a stream ticket in `?ticket=`): derive a handler from
/// this class, register it with one line, <c>authentication.AddCredential&lt;AgentTokenAuthenticationHandler&gt;("agent-token")</c>
/// in <see cref="AccessServiceCollectionExtensions.AddOrbitAccess"/>, and give the routes that accept it a policy
/// naming that scheme (<c>OrbitPolicies.Build(...)</c>, as <see cref="OrbitPolicies.Anchor"/> does); a refusal style for
/// its clients' error shape goes in <see cref="AccessRefusals"/>.
/// </remarks>
public abstract class CredentialAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    /// <summary>The credential of this kind that the request presents, or null.</summary>
    protected virtual string? ReadCredential() => RequestCredential.Token(Request);

    /// <summary>The principal for a credential of this kind, or null when it is not valid (unknown, expired, revoked).</summary>
    public abstract Task<ClaimsPrincipal?> ValidateAsync(string credential);

    /// <summary>
    /// True for a kind whose refusal should tell the client why (a stream ticket: expired, used, for another stream):
    /// the layer then answers with <see cref="Refusal"/> instead of its family's generic message.
    /// </summary>
    public virtual bool ExplainsRefusals => false;

    /// <summary>
    /// True for a kind whose credential is spent by its validation (a stream ticket): it cannot be validated again, so
    /// <see cref="SignInChecks"/> checks a long-lived request opened with one by its sign-in family, else its account.
    /// </summary>
    public virtual bool SingleUse => false;

    /// <summary>Why <see cref="ValidateAsync"/> refused the credential, when the kind says.</summary>
    protected string? Refusal { get; set; }

    protected sealed override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var credential = ReadCredential();
        if (credential is null)
        {
            return AuthenticateResult.NoResult();
        }

        var principal = credential.Length <= RequestCredential.MaxLength ? await ValidateAsync(credential) : null;
        return principal is null
            ? AuthenticateResult.Fail(Refusal ?? $"The {Scheme.Name} credential is not valid.")
            : AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        return base.HandleChallengeAsync(properties);
    }
}
