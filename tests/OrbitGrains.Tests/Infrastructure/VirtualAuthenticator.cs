using System.Text.Json.Nodes;

namespace OrbitGrains.Tests.Infrastructure;

/// <summary>
/// Chromium's own WebAuthn authenticator (CTAP2, platform, resident keys, user verified) on one page, through the
/// DevTools WebAuthn domain: the browser runs the real ceremony and the test can read back what it holds.
/// </summary>
public sealed class VirtualAuthenticator : IAsyncDisposable
{
    private readonly DevToolsPage _page;

    private VirtualAuthenticator(DevToolsPage page, string id)
    {
        _page = page;
        Id = id;
    }

    public string Id { get; }

    /// <summary>Adds an authenticator to a page whose WebAuthn domain is enabled (WebAuthn.enable).</summary>
    public static async Task<VirtualAuthenticator> AddAsync(DevToolsPage page)
    {
        var added = await page.SendAsync("WebAuthn.addVirtualAuthenticator", new
        {
            options = new
            {
                protocol = "ctap2",
                transport = "internal",
                hasResidentKey = true,
                hasUserVerification = true,
                isUserVerified = true,
                // Answers every ceremony at once, as a user touching the key would.
                automaticPresenceSimulation = true,
            },
        });
        return new VirtualAuthenticator(page, (string)added["authenticatorId"]!);
    }

    /// <summary>The credentials it holds: credentialId, rpId, userHandle, signCount, ...</summary>
    public async Task<JsonArray> CredentialsAsync() =>
        (await _page.SendAsync("WebAuthn.getCredentials", new { authenticatorId = Id }))["credentials"]!.AsArray();

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _page.SendAsync("WebAuthn.removeVirtualAuthenticator", new { authenticatorId = Id });
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
        {
            // The page or the browser is already gone, and the authenticator with it.
        }
    }
}
