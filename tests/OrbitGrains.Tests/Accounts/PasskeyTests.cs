using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OrbitGrains.Tests.Accounts;

public sealed class PasskeyHost : AccountsHost
{
    public const string Origin = "http://localhost:8080";

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["AUTH_MODE"] = "passkey",
        ["PASSKEY_ORIGIN"] = Origin,
        ["CHALLENGE_TTL_SEC"] = "300",
    };
}

/// <summary>Passkeys end to end with a software authenticator (P-256, "none" attestation) over real HTTP.</summary>
public sealed class PasskeyTests(PasskeyHost host) : AccountsHostTest<PasskeyHost>(host)
{
    private readonly SoftwareAuthenticator _authenticator = new(PasskeyHost.Origin);

    [Fact]
    public async Task Registration_options_follow_the_contract()
    {
        var options = await OptionsAsync("/auth/register/options", new { name = AccountsApi.NewName("pk"), displayName = "Pat Key" });

        Assert.Equal("localhost", (string?)options["rp"]!["id"]);
        Assert.False(string.IsNullOrEmpty((string?)options["challenge"]));
        Assert.Equal("none", (string?)options["attestation"]);
        Assert.Equal("preferred", (string?)options["authenticatorSelection"]!["residentKey"]);
        Assert.Equal("required", (string?)options["authenticatorSelection"]!["userVerification"]);
        Assert.Equal(300_000, (int)options["timeout"]!);
        Assert.Equal("Pat Key", (string?)options["user"]!["displayName"]);
        Assert.Contains(options["pubKeyCredParams"]!.AsArray(), p => (int)p!["alg"]! == -7);
    }

    [Fact]
    public async Task A_new_account_registers_with_a_passkey_then_signs_in_with_it()
    {
        var name = AccountsApi.NewName("pk");
        var session = await RegisterAsync(name);
        Assert.True((bool)session["verified"]!);
        Assert.Equal(name, (string?)session["user"]!["name"]);
        var status = await Api.SessionStatusAsync((string)session["token"]!);
        Assert.True((bool)status["authenticated"]!);
        Assert.True((bool)status["hasPasskey"]!);

        var request = await OptionsAsync("/auth/login/options", new { username = name });
        Assert.Single(request["allowCredentials"]!.AsArray());
        var signedIn = await VerifyAsync("/auth/login/verify", _authenticator.Get(request));
        Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
        var login = await signedIn.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal((string?)session["user"]!["id"], (string?)login!["user"]!["id"]);
        Assert.True(await Api.IsSignedInAsync((string)login["token"]!));
    }

    [Fact]
    public async Task An_ed25519_passkey_registers_and_signs_in()
    {
        var edDsa = new SoftwareAuthenticator(PasskeyHost.Origin, edDsa: true);
        var name = AccountsApi.NewName("ed");
        var options = await OptionsAsync("/auth/register/options", new { name });
        Assert.Contains(options["pubKeyCredParams"]!.AsArray(), p => (int)p!["alg"]! == -8);
        var registered = await VerifyAsync("/auth/register/verify", edDsa.Create(options));
        Assert.Equal(HttpStatusCode.OK, registered.StatusCode);

        var request = await OptionsAsync("/auth/login/options", new { username = name });
        var signedIn = await VerifyAsync("/auth/login/verify", edDsa.Get(request));
        Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
        Assert.True(await Api.IsSignedInAsync((string)(await signedIn.Content.ReadFromJsonAsync<JsonObject>())!["token"]!));
    }

    [Fact]
    public async Task An_rs256_passkey_of_2048_bits_registers_and_signs_in()
    {
        var rsa = SoftwareAuthenticator.Rsa(PasskeyHost.Origin, 2048);
        var name = AccountsApi.NewName("rsa");
        var options = await OptionsAsync("/auth/register/options", new { name });
        Assert.Contains(options["pubKeyCredParams"]!.AsArray(), p => (int)p!["alg"]! == -257);
        Assert.Equal(HttpStatusCode.OK, (await VerifyAsync("/auth/register/verify", rsa.Create(options))).StatusCode);

        var request = await OptionsAsync("/auth/login/options", new { username = name });
        Assert.Equal(HttpStatusCode.OK, (await VerifyAsync("/auth/login/verify", rsa.Get(request))).StatusCode);
    }

    /// <summary>Keys outside ES256 on P-256, EdDSA on Ed25519 and RS256 of at least 2048 bits (Fido2 checks no strength).</summary>
    [Theory]
    [InlineData("RS256, a 1-byte modulus")]
    [InlineData("RS256, 1024 bits")]
    [InlineData("ES384 on P-384")]
    [InlineData("ES256 announced on P-384")]
    public async Task A_weak_or_unexpected_key_is_refused_and_nothing_is_stored(string key)
    {
        var authenticator = key switch
        {
            "RS256, a 1-byte modulus" => SoftwareAuthenticator.RsaWithModulus(PasskeyHost.Origin, [0x03]),
            "RS256, 1024 bits" => SoftwareAuthenticator.Rsa(PasskeyHost.Origin, 1024),
            "ES384 on P-384" => SoftwareAuthenticator.Ecdsa(PasskeyHost.Origin, System.Security.Cryptography.ECCurve.NamedCurves.nistP384, -35, 2,
                System.Security.Cryptography.HashAlgorithmName.SHA384),
            _ => SoftwareAuthenticator.Ecdsa(PasskeyHost.Origin, System.Security.Cryptography.ECCurve.NamedCurves.nistP384, -7, 2,
                System.Security.Cryptography.HashAlgorithmName.SHA256),
        };
        var name = AccountsApi.NewName("weak");
        var response = authenticator.Create(await OptionsAsync("/auth/register/options", new { name }));

        await ExpectErrorAsync(await VerifyAsync("/auth/register/verify", response), HttpStatusCode.BadRequest, "Registration verification failed.");
        Assert.Null(await Host.Grains.GetGrain<OrbitGrains.Accounts.IPasskeyCredentialGrain>((string)response["id"]!).Owner());
        Assert.Equal(HttpStatusCode.OK, (await PostAsync("/auth/register/options", new { name })).StatusCode);
    }

    [Fact]
    public async Task Unfinished_ceremonies_leave_no_row_once_they_expire()
    {
        var options = await OptionsAsync("/auth/register/options", new { name = AccountsApi.NewName("gone") });
        var ceremony = Host.Grains.GetGrain<OrbitGrains.Accounts.IPasskeyCeremonyGrain>((string)options["challenge"]!);
        var grainId = ceremony.GetGrainId();
        var storage = Microsoft.Extensions.DependencyInjection.ServiceProviderKeyedServiceExtensions
            .GetRequiredKeyedService<Orleans.Storage.IGrainStorage>(Host.Services, OrbitGrains.Hosting.OrbitStorageNames.GrainState);
        async Task<bool> StoredAsync()
        {
            var state = new Orleans.GrainState<OrbitGrains.Accounts.PasskeyCeremonyGrain.State>(new());
            await storage.ReadStateAsync("passkey-ceremony", grainId, state);
            return state.RecordExists;
        }

        Assert.True(await StoredAsync());
        Clock.Advance(TimeSpan.FromSeconds(301));
        // What its expiry reminder does when it fires.
        await Host.Grains.GetGrain<IRemindable>(grainId).ReceiveReminder(OrbitGrains.Accounts.ExpiringStateExtensions.ReminderName, default);
        Assert.False(await StoredAsync());
    }

    [Fact]
    public async Task A_replayed_response_is_refused_because_the_challenge_is_single_use()
    {
        var options = await OptionsAsync("/auth/register/options", new { name = AccountsApi.NewName("pk") });
        var response = _authenticator.Create(options);
        Assert.Equal(HttpStatusCode.OK, (await VerifyAsync("/auth/register/verify", response)).StatusCode);

        var replay = await VerifyAsync("/auth/register/verify", response);
        await ExpectErrorAsync(replay, HttpStatusCode.BadRequest, "Missing challenge.");

        var name = AccountsApi.NewName("pk");
        await RegisterAsync(name);
        var request = await OptionsAsync("/auth/login/options", new { username = name });
        var assertion = _authenticator.Get(request);
        Assert.Equal(HttpStatusCode.OK, (await VerifyAsync("/auth/login/verify", assertion)).StatusCode);
        await ExpectErrorAsync(await VerifyAsync("/auth/login/verify", assertion), HttpStatusCode.BadRequest, "Missing challenge.");
    }

    [Fact]
    public async Task A_request_from_an_origin_not_allowed_is_refused_with_403()
    {
        var response = await PostAsync("/auth/register/options", new { name = AccountsApi.NewName("pk") }, origin: "https://evil.example");
        await ExpectErrorAsync(response, HttpStatusCode.Forbidden, "Origin not allowed.");

        var missing = await PostAsync("/auth/login/options", new { username = "anyone" }, origin: null);
        await ExpectErrorAsync(missing, HttpStatusCode.Forbidden, "Origin not allowed.");
    }

    [Fact]
    public async Task A_response_signed_for_another_origin_fails_verification_and_creates_nothing()
    {
        var name = AccountsApi.NewName("pk");
        var options = await OptionsAsync("/auth/register/options", new { name });
        var phished = new SoftwareAuthenticator("https://evil.example").Create(options);
        await ExpectErrorAsync(await VerifyAsync("/auth/register/verify", phished), HttpStatusCode.BadRequest, "Registration verification failed.");

        var login = await PostAsync("/auth/login/options", new { username = name });
        await ExpectErrorAsync(login, HttpStatusCode.BadRequest, "Invalid credentials.");
    }

    [Fact]
    public async Task An_unknown_credential_is_refused()
    {
        var name = AccountsApi.NewName("pk");
        await RegisterAsync(name);
        var stranger = new SoftwareAuthenticator(PasskeyHost.Origin);
        var strayOptions = await OptionsAsync("/auth/register/options", new { name = AccountsApi.NewName("stray") });
        var stray = stranger.Create(strayOptions);

        var request = await OptionsAsync("/auth/login/options", new { username = name });
        var assertion = stranger.Get(request, credentialId: (string)stray["id"]!);
        await ExpectErrorAsync(await VerifyAsync("/auth/login/verify", assertion), HttpStatusCode.BadRequest, "Unknown credential.");
    }

    [Fact]
    public async Task A_cloned_authenticator_is_caught_by_the_sign_count()
    {
        var name = AccountsApi.NewName("pk");
        await RegisterAsync(name);
        for (var i = 0; i < 2; i++)
        {
            var request = await OptionsAsync("/auth/login/options", new { username = name });
            Assert.Equal(HttpStatusCode.OK, (await VerifyAsync("/auth/login/verify", _authenticator.Get(request))).StatusCode);
        }

        var credentialId = (string)(await OptionsAsync("/auth/login/options", new { username = name }))["allowCredentials"]![0]!["id"]!;
        _authenticator.RewindSignCount(credentialId);
        var again = await OptionsAsync("/auth/login/options", new { username = name });
        await ExpectErrorAsync(await VerifyAsync("/auth/login/verify", _authenticator.Get(again)), HttpStatusCode.BadRequest, "Authentication verification failed.");
    }

    [Fact]
    public async Task An_expired_challenge_is_reported_as_expired()
    {
        var options = await OptionsAsync("/auth/register/options", new { name = AccountsApi.NewName("pk") });
        var response = _authenticator.Create(options);
        Clock.Advance(TimeSpan.FromSeconds(301));
        await ExpectErrorAsync(await VerifyAsync("/auth/register/verify", response), HttpStatusCode.BadRequest, "Registration challenge expired.");
    }

    [Fact]
    public async Task A_signed_in_user_adds_a_second_passkey_and_either_one_signs_in()
    {
        var name = AccountsApi.NewName("pk");
        var session = await RegisterAsync(name);
        var second = new SoftwareAuthenticator(PasskeyHost.Origin);

        var options = await OptionsAsync("/auth/register/options", new { }, bearer: (string)session["token"]!);
        Assert.Equal(name, (string?)options["user"]!["name"]);
        Assert.Single(options["excludeCredentials"]!.AsArray());
        var added = await VerifyAsync("/auth/register/verify", second.Create(options));
        Assert.Equal(HttpStatusCode.OK, added.StatusCode);
        Assert.Equal((string?)session["user"]!["id"], (string?)(await added.Content.ReadFromJsonAsync<JsonObject>())!["user"]!["id"]);

        var request = await OptionsAsync("/auth/login/options", new { username = name });
        Assert.Equal(2, request["allowCredentials"]!.AsArray().Count);
        Assert.Equal(HttpStatusCode.OK, (await VerifyAsync("/auth/login/verify", second.Get(request))).StatusCode);
    }

    [Fact]
    public async Task Only_a_web_session_adds_a_passkey_so_a_user_token_cannot_become_a_session()
    {
        var session = await RegisterAsync(AccountsApi.NewName("pk"));
        var issued = await AccountsApi.ExpectJsonAsync(await Api.PostJsonAsync("/auth/user-token", new { }, (string)session["token"]!), HttpStatusCode.Created);
        var userToken = (string)issued["userToken"]!;

        await ExpectErrorAsync(await PostAsync("/auth/register/options", new { }, bearer: userToken), HttpStatusCode.Unauthorized, "Adding a passkey needs a web session.");
        var status = await Api.SessionStatusAsync((string)session["token"]!);
        Assert.True((bool)status["hasPasskey"]!);
        // The person's token was not replaced by anything the refused call could have led to.
        Assert.Equal(HttpStatusCode.OK, (await Api.SendAsync(HttpMethod.Post, "/v1/user-token/rotate", null, userToken)).StatusCode);
    }

    [Fact]
    public async Task A_passkey_is_not_added_to_an_account_disabled_during_the_ceremony()
    {
        var session = await RegisterAsync(AccountsApi.NewName("pk"));
        var options = await OptionsAsync("/auth/register/options", new { }, bearer: (string)session["token"]!);
        await new AdminApi(Api.Http, AccountsHost.AdminToken).DisableAsync((string)session["user"]!["id"]!);

        await ExpectErrorAsync(await VerifyAsync("/auth/register/verify", new SoftwareAuthenticator(PasskeyHost.Origin).Create(options)), HttpStatusCode.Unauthorized, "Account disabled.");
        var passkeys = await Host.Grains.GetGrain<OrbitGrains.Accounts.IUserGrain>((string)session["user"]!["id"]!).Passkeys();
        Assert.Single(passkeys);
    }

    [Theory]
    [InlineData("/auth/register/options", null, "Name is required.")]
    [InlineData("/auth/register/options", "[1,2]", "Name is required.")]
    [InlineData("/auth/register/options", "{\"name\":42}", "Name is required.")]
    [InlineData("/auth/login/options", "{}", "Username is required.")]
    [InlineData("/auth/login/options", "{\"username\":\"nobody-has-this-name\"}", "Invalid credentials.")]
    [InlineData("/auth/register/verify", "{}", "Invalid payload.")]
    [InlineData("/auth/register/verify", "{\"credential\":\"text\"}", "Invalid payload.")]
    [InlineData("/auth/register/verify", "{\"credential\":{\"id\":\"x\",\"response\":{\"clientDataJSON\":\"%%%\"}}}", "Invalid payload.")]
    [InlineData("/auth/login/verify", "{\"credential\":{\"id\":\"AA\",\"response\":{\"clientDataJSON\":\"eyJjaGFsbGVuZ2UiOiJub3BlIn0\"}}}", "Missing challenge.")]
    [InlineData("/auth/register/verify", "{\"credential\":{\"id\":\"AA\",\"response\":{\"clientDataJSON\":\"WzFd\"}}}", "Invalid payload.")]
    [InlineData("/auth/login/verify", "{\"credential\":{\"id\":\"AA\",\"response\":{\"clientDataJSON\":\"Ingi\"}}}", "Invalid payload.")]
    public async Task Malformed_requests_get_the_contract_message(string path, string? body, string message)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path);
        request.Headers.Add("Origin", PasskeyHost.Origin);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        await ExpectErrorAsync(await Host.Http.SendAsync(request), HttpStatusCode.BadRequest, message);
    }

    [Fact]
    public async Task A_failed_registration_leaves_the_name_free()
    {
        var name = AccountsApi.NewName("pk");
        var options = await OptionsAsync("/auth/register/options", new { name });
        var tampered = _authenticator.Create(options);
        tampered["response"]!["attestationObject"] = "AAAA";
        await ExpectErrorAsync(await VerifyAsync("/auth/register/verify", tampered), HttpStatusCode.BadRequest, "Registration verification failed.");

        Assert.Equal(HttpStatusCode.OK, (await PostAsync("/auth/register/options", new { name })).StatusCode);
    }

    private async Task<JsonObject> RegisterAsync(string name)
    {
        var options = await OptionsAsync("/auth/register/options", new { name });
        var verified = await VerifyAsync("/auth/register/verify", _authenticator.Create(options));
        Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
        return (await verified.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    private async Task<JsonObject> OptionsAsync(string path, object body, string? bearer = null)
    {
        var response = await PostAsync(path, body, bearer: bearer);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    private Task<HttpResponseMessage> VerifyAsync(string path, JsonObject credential) => PostAsync(path, new { credential });

    private Task<HttpResponseMessage> PostAsync(string path, object body, string? origin = PasskeyHost.Origin, string? bearer = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        if (bearer is not null)
        {
            request.Headers.Authorization = new("Bearer", bearer);
        }

        return Host.Http.SendAsync(request);
    }

    private static async Task ExpectErrorAsync(HttpResponseMessage response, HttpStatusCode status, string message)
    {
        Assert.Equal(status, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(message, body.GetProperty("error").GetString());
    }
}
