using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace OrbitGrains.Tests.Infrastructure;

/// <summary>
/// Chromium's own WebAuthn authenticator (CTAP2, platform, resident keys, user verified) on one page, through the
/// DevTools WebAuthn domain over Playwright's CDP session: the browser runs the real ceremony and the test can read
/// back what the authenticator holds.
/// </summary>
public sealed class VirtualAuthenticator : IAsyncDisposable
{
    private readonly ICDPSession _session;

    private VirtualAuthenticator(ICDPSession session, string id)
    {
        _session = session;
        Id = id;
    }

    public string Id { get; }

    public static async Task<VirtualAuthenticator> AddAsync(IPage page)
    {
        var session = await page.Context.NewCDPSessionAsync(page);
        await session.SendAsync("WebAuthn.enable", new Dictionary<string, object> { ["enableUI"] = false });
        var added = await session.SendAsync("WebAuthn.addVirtualAuthenticator", new Dictionary<string, object>
        {
            ["options"] = new Dictionary<string, object>
            {
                ["protocol"] = "ctap2",
                ["transport"] = "internal",
                ["hasResidentKey"] = true,
                ["hasUserVerification"] = true,
                ["isUserVerified"] = true,
                // Answers every ceremony at once, as a user touching the key would.
                ["automaticPresenceSimulation"] = true,
            },
        });
        return new VirtualAuthenticator(session, added!.Value.GetProperty("authenticatorId").GetString()!);
    }

    /// <summary>The credentials it holds: credentialId, rpId, userHandle, signCount, ...</summary>
    public async Task<JsonArray> CredentialsAsync()
    {
        var answer = await _session.SendAsync("WebAuthn.getCredentials", new Dictionary<string, object> { ["authenticatorId"] = Id });
        return JsonNode.Parse(answer!.Value.GetProperty("credentials").GetRawText())!.AsArray();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _session.SendAsync("WebAuthn.removeVirtualAuthenticator", new Dictionary<string, object> { ["authenticatorId"] = Id });
            await _session.DetachAsync();
        }
        catch (PlaywrightException)
        {
            // The page or the browser is already gone, and the authenticator with it.
        }
    }
}
