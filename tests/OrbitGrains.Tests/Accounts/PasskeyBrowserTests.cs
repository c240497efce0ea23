using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace OrbitGrains.Tests.Accounts;

/// <summary>
/// Passkeys in a real browser: Debian's Chromium with its virtual authenticator runs the WebAuthn ceremonies
/// against the product's own endpoints, from a page the product serves.
/// </summary>
public sealed class PasskeyBrowserTests(PasskeyBrowser browser) : IClassFixture<PasskeyBrowser>
{
    // Helpers defined in the page for every script: a JSON POST to the product, same-origin, answer as {status, body}.
    private const string Prelude = """
        const post = async (path, body) => {
          const response = await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
          const text = await response.text();
          let parsed;
          try { parsed = JSON.parse(text); } catch { parsed = text; }
          return { status: response.status, body: parsed };
        };
        """;

    private const string Register = """
        async ({ name }) => {
          const options = await post('/auth/register/options', { name, displayName: name });
          if (options.status !== 200) return { step: 'options', ...options };
          const credential = await navigator.credentials.create({ publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options.body) });
          return { step: 'verify', ...(await post('/auth/register/verify', { credential: credential.toJSON() })) };
        }
        """;

    // With submit false the signed assertion is handed back instead of posted, so it can be posted elsewhere.
    private const string SignIn = """
        async ({ username, submit }) => {
          const options = await post('/auth/login/options', { username });
          if (options.status !== 200) return { step: 'options', ...options };
          const credential = await navigator.credentials.get({ publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options.body) });
          const assertion = credential.toJSON();
          if (!submit) return { step: 'assertion', options: options.body, assertion };
          return { step: 'verify', ...(await post('/auth/login/verify', { credential: assertion })) };
        }
        """;

    // Everything a page on a foreign origin can try: ask for options, run the ceremony, post a good assertion.
    private const string SignInFromElsewhere = """
        async ({ username, options, assertion }) => {
          const asked = await post('/auth/login/options', { username });
          let ceremony = 'completed';
          try {
            await navigator.credentials.get({ publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options), signal: AbortSignal.timeout(10000) });
          } catch (e) {
            ceremony = e.name;
          }
          const verified = await post('/auth/login/verify', { credential: assertion });
          return { origin: location.origin, asked, ceremony, verified };
        }
        """;

    private const string Post = "async ({ path, body }) => post(path, body)";

    private LocalhostPasskeyHost Product => browser.Product;

    [Fact]
    public async Task A_passkey_made_in_the_browser_signs_the_same_user_in_again()
    {
        var page = await browser.Chromium.NewPageAsync(Product.Origin);
        await using var authenticator = await VirtualAuthenticator.AddAsync(page);
        await page.GotoAsync("/status");
        var name = AccountsApi.NewName("browser");

        var registered = await RunAsync(page, Register, new { name });
        Assert.True((int)registered["status"]! == 200, $"registration: {registered.ToJsonString()}");
        var account = registered["body"]!;
        Assert.True((bool)account["verified"]!);
        Assert.Equal(name, (string?)account["user"]!["name"]);
        var userId = (string)account["user"]!["id"]!;

        var made = Assert.Single(await authenticator.CredentialsAsync());
        Assert.Equal("localhost", (string?)made!["rpId"]);
        Assert.True((bool)made["isResidentCredential"]!);
        var countAfterRegistration = (long)made["signCount"]!;

        var signedIn = await RunAsync(page, SignIn, new { username = name, submit = true });
        Assert.True((int)signedIn["status"]! == 200, $"sign-in: {signedIn.ToJsonString()}");
        Assert.Equal(userId, (string?)signedIn["body"]!["user"]!["id"]);
        var status = await Product.Api.SessionStatusAsync((string)signedIn["body"]!["token"]!);
        Assert.True((bool)status["authenticated"]!);
        Assert.Equal(userId, (string?)status["user"]!["id"]);
        Assert.True((bool)status["hasPasskey"]!);

        var used = Assert.Single(await authenticator.CredentialsAsync());
        Assert.Equal((string?)made["credentialId"], (string?)used!["credentialId"]);
        Assert.True((long)used["signCount"]! > countAfterRegistration, $"sign count {used["signCount"]} after {countAfterRegistration}");
    }

    [Fact]
    public async Task A_page_on_another_origin_gets_no_session_even_with_a_good_assertion()
    {
        var page = await browser.Chromium.NewPageAsync(Product.Origin);
        await using var authenticator = await VirtualAuthenticator.AddAsync(page);
        await page.GotoAsync("/status");
        var name = AccountsApi.NewName("browser");
        var registered = await RunAsync(page, Register, new { name });
        Assert.True((int)registered["status"]! == 200, $"registration: {registered.ToJsonString()}");
        var signed = await RunAsync(page, SignIn, new { username = name, submit = false });
        Assert.Equal("assertion", (string?)signed["step"]);

        await page.GotoAsync(new Uri(Product.OtherOrigin, "/status").ToString());
        var elsewhere = await RunAsync(page, SignInFromElsewhere, new { username = name, options = signed["options"], assertion = signed["assertion"] });
        Assert.Equal(Product.OtherOrigin.ToString().TrimEnd('/'), (string?)elsewhere["origin"]);
        AssertOriginRefused(elsewhere["asked"]!);
        // The browser will not run a ceremony for an RP id that is not this page's domain.
        Assert.Equal("SecurityError", (string?)elsewhere["ceremony"]);
        AssertOriginRefused(elsewhere["verified"]!);

        // The refused assertion was sound and its challenge still unspent: only the origin stood in the way.
        await page.GotoAsync("/status");
        var home = await RunAsync(page, Post, new { path = "/auth/login/verify", body = new { credential = signed["assertion"] } });
        Assert.True((int)home["status"]! == 200, $"sign-in from the allowed origin: {home.ToJsonString()}");
        Assert.True(await Product.Api.IsSignedInAsync((string)home["body"]!["token"]!));
    }

    private static void AssertOriginRefused(JsonNode answer)
    {
        Assert.True((int)answer["status"]! == (int)HttpStatusCode.Forbidden, $"expected 403: {answer.ToJsonString()}");
        Assert.Equal("Origin not allowed.", (string?)answer["body"]!["error"]);
        Assert.Null(answer["body"]!["token"]);
    }

    private static async Task<JsonNode> RunAsync(IPage page, string function, object argument)
    {
        var result = await page.EvaluateAsync<JsonElement>($"(async () => {{ {Prelude} return ({function})({JsonSerializer.Serialize(argument)}); }})()");
        return JsonNode.Parse(result.GetRawText()) ?? throw new InvalidOperationException("The page's script returned nothing.");
    }
}
