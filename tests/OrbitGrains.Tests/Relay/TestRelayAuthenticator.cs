using System.Collections.Concurrent;
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
/// kinds, so the relay gets its caller through the same authentication layer as with real tokens. A token can be
/// revoked here, with no account notice at all (only a periodic check of the socket's credential can see it), and
/// each validation of a token is counted.
/// </summary>
public static class TestRelayAuthenticator
{
    private static readonly ConcurrentDictionary<string, byte> Revoked = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, int> Validations = new(StringComparer.Ordinal);

    /// <summary>From now on the token is invalid.</summary>
    public static void Revoke(string token) => Revoked[token] = 0;

    /// <summary>How often the token was validated so far (at handshakes and periodic checks).</summary>
    public static int ValidationsOf(string token) => Validations.GetValueOrDefault(token);

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

    private static ClaimsPrincipal? Principal(string credential, string prefix, string kind)
    {
        Validations.AddOrUpdate(credential, 1, (_, count) => count + 1);
        if (Revoked.ContainsKey(credential) || !credential.StartsWith(prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var user = credential[prefix.Length..];
        return new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(OrbitClaims.Subject, user), new Claim(OrbitClaims.Name, user), new Claim(OrbitClaims.Credential, kind)],
            kind, OrbitClaims.Name, OrbitClaims.Role));
    }
}
