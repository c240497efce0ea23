using OrbitGrains.WebFrontend.Accounts;

namespace OrbitGrains.WebFrontend.Relay;

/// <summary>Relay sockets authenticate with the Accounts family's tokens: web session tokens for clients, anchor access tokens for anchors.</summary>
public sealed class AccountsRelayAuthenticator(WebTokenService webTokens, AnchorTokenService anchorTokens) : IRelayAuthenticator
{
    public async ValueTask<string?> AuthenticateClientAsync(string token, CancellationToken cancellationToken) =>
        (await webTokens.ValidateAsync(token))?.User.Id;

    public async ValueTask<string?> AuthenticateAnchorAsync(string token, CancellationToken cancellationToken) =>
        await anchorTokens.ValidateAccessAsync(token);
}
