using System.Net;

namespace OrbitGrains.Tests.Accounts;

public sealed class PasskeyCreationLimitHost : AccountsHost
{
    public const int Limit = 4;

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["AUTH_MODE"] = "passkey",
        ["PASSKEY_ORIGIN"] = PasskeyHost.Origin,
        ["ANONYMOUS_CREATIONS_PER_ADDRESS"] = Limit.ToString(),
        ["ANONYMOUS_CREATION_WINDOW_SEC"] = "600",
    };
}

/// <summary>Every passkey ceremony keeps a row until it expires, so an address may start only so many, signed in or not.</summary>
public sealed class PasskeyCreationLimitTests(PasskeyCreationLimitHost host) : AccountsHostTest<PasskeyCreationLimitHost>(host)
{
    [Fact]
    public async Task Sign_in_ceremonies_count_against_the_address_like_sign_ups_and_are_answered_429_with_Retry_After()
    {
        var passkeys = new PasskeyApi(Host.Http);
        var name = AccountsApi.NewName("limited");
        var authenticator = new SoftwareAuthenticator(PasskeyHost.Origin);
        await passkeys.RegisterAsync(authenticator, name);

        // The sign-up took one slot; a name no one has takes one too, so a 429 tells nothing about which names exist.
        await AccountsApi.ExpectErrorAsync(await passkeys.PostAsync("/auth/login/options", new { username = "nobody-has-this-name" }), HttpStatusCode.BadRequest, "Invalid credentials.");
        for (var i = 2; i < PasskeyCreationLimitHost.Limit; i++)
        {
            await passkeys.OptionsAsync("/auth/login/options", new { username = name });
        }

        foreach (var username in new[] { name, "nobody-has-this-name" })
        {
            using var refused = await passkeys.PostAsync("/auth/login/options", new { username });
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.InRange(int.Parse(Assert.Single(refused.Headers.GetValues("Retry-After"))), 1, 600);
            var body = await AccountsApi.ExpectJsonAsync(refused, HttpStatusCode.TooManyRequests);
            Assert.StartsWith("Too many attempts.", (string?)body["error"]);
        }

        Clock.Advance(TimeSpan.FromSeconds(601));
        var request = await passkeys.OptionsAsync("/auth/login/options", new { username = name });
        Assert.Equal(HttpStatusCode.OK, (await passkeys.VerifyAsync("/auth/login/verify", authenticator.Get(request))).StatusCode);
    }
}
