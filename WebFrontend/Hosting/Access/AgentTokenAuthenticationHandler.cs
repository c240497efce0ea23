using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using OrbitGrains.Accounts;
using OrbitGrains.Agents;

namespace OrbitGrains.WebFrontend.Hosting.Access;

/// <summary>
/// <see cref="OrbitAuthSchemes.AgentToken"/>: an agent's live token in `X-Agent-Token` (spec: jarvis.md, Agent runtime),
/// looked up by its SHA-256. A revoked or rotated token is refused on its next request: the token grain is asked every time.
/// So is its owner's account: while an admin has it disabled the token is refused ("Invalid or revoked agent token.",
/// 401), as every other credential of the account is, and it works again once the account is enabled, since it is the
/// agent's credential rather than one of the person's sign-ins (which disabling ends for good).
/// </summary>
public sealed class AgentTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, IGrainFactory grains)
    : CredentialAuthenticationHandler(options, logger, encoder)
{
    public const string Header = "X-Agent-Token";

    /// <summary>Longer than any agent token the product issues (43 characters); such a value is refused without a lookup.</summary>
    public const int MaxTokenLength = 512;

    /// <summary>The trimmed `X-Agent-Token` value, or null when the header is absent or blank.</summary>
    public static string? Read(HttpRequest request) => request.Headers[Header].ToString().Trim() is { Length: > 0 } value ? value : null;

    protected override string? ReadCredential() => Read(Request);

    public override async Task<ClaimsPrincipal?> ValidateAsync(string credential) =>
        credential.Length <= MaxTokenLength && await grains.GetGrain<IAgentTokenGrain>(TokenHash.Of(credential)).Owner() is { } owner
            && await grains.GetGrain<IUserGrain>(owner.UserId).Get() is { Disabled: false }
            ? OrbitPrincipals.ForAgent(owner.UserId, owner.AgentId)
            : null;
}
