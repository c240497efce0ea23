using OrbitGrains.WebFrontend.Relay;

namespace OrbitGrains.Tests.Relay;

/// <summary>
/// Until the relay is wired to Accounts' tokens: "client-of-{user}" and "anchor-of-{user}" stand for a valid web
/// session token and anchor access token of that user; anything else is invalid.
/// </summary>
public sealed class TestRelayAuthenticator : IRelayAuthenticator
{
    public static string ClientToken(string user) => $"client-of-{user}";

    public static string AnchorToken(string user) => $"anchor-of-{user}";

    public ValueTask<string?> AuthenticateClientAsync(string token, CancellationToken cancellationToken) =>
        ValueTask.FromResult(token.StartsWith("client-of-", StringComparison.Ordinal) ? token["client-of-".Length..] : null);

    public ValueTask<string?> AuthenticateAnchorAsync(string token, CancellationToken cancellationToken) =>
        ValueTask.FromResult(token.StartsWith("anchor-of-", StringComparison.Ordinal) ? token["anchor-of-".Length..] : null);
}
