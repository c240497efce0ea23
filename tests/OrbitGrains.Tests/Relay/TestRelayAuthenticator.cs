using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrbitGrains.WebFrontend.Hosting.Access;

namespace OrbitGrains.Tests.Relay;

/// <summary>
/// For the relay protocol tests alone: "client-of-{user}" and "anchor-of-{user}" stand for a valid web session token
/// and anchor access token of that user; anything else is invalid. They replace the handlers of those two credential
/// kinds, so the relay gets its caller through the same authentication layer as with real tokens.
/// </summary>
public static class TestRelayAuthenticator
{
    public static string ClientToken(string user) => $"client-of-{user}";

    public static string AnchorToken(string user) => $"anchor-of-{user}";

    public static void Use(WebApplicationBuilder builder) => builder.Services.PostConfigure<AuthenticationOptions>(options =>
    {
        options.SchemeMap[OrbitAuthSchemes.WebSession].HandlerType = typeof(ClientHandler);
        options.SchemeMap[OrbitAuthSchemes.AnchorToken].HandlerType = typeof(AnchorHandler);
    });

    private sealed class ClientHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : CredentialAuthenticationHandler(options, logger, encoder)
    {
        public override Task<ClaimsPrincipal?> ValidateAsync(string credential) => Task.FromResult(Principal(credential, "client-of-", OrbitAuthSchemes.WebSession));
    }

    private sealed class AnchorHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : CredentialAuthenticationHandler(options, logger, encoder)
    {
        public override Task<ClaimsPrincipal?> ValidateAsync(string credential) => Task.FromResult(Principal(credential, "anchor-of-", OrbitAuthSchemes.AnchorToken));
    }

    private static ClaimsPrincipal? Principal(string credential, string prefix, string kind) =>
        credential.StartsWith(prefix, StringComparison.Ordinal)
            ? new ClaimsPrincipal(new ClaimsIdentity(
                [new Claim(OrbitClaims.Subject, credential[prefix.Length..]), new Claim(OrbitClaims.Name, credential[prefix.Length..]), new Claim(OrbitClaims.Credential, kind)],
                kind, OrbitClaims.Name, OrbitClaims.Role))
            : null;
}
