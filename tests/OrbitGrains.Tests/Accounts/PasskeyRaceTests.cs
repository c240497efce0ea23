using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OrbitGrains.Accounts;

namespace OrbitGrains.Tests.Accounts;

/// <summary>A passkey host whose grain calls a test can hold at a gate, to run two ceremonies into each other.</summary>
public sealed class PasskeyRaceHost : AccountsHost
{
    public CallGate Gate { get; } = new();

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["AUTH_MODE"] = "passkey",
        ["PASSKEY_ORIGIN"] = PasskeyHost.Origin,
    };

    protected override void AddServices(IServiceCollection services) => services.AddSingleton<IOutgoingGrainCallFilter>(Gate);
}

/// <summary>Two ceremonies that each checked before the other wrote: exactly one wins, and the loser leaves nothing.</summary>
public sealed class PasskeyRaceTests(PasskeyRaceHost host) : AccountsHostTest<PasskeyRaceHost>(host)
{
    private PasskeyApi Passkeys => new(Host.Http);
    private readonly SoftwareAuthenticator _authenticator = new(PasskeyHost.Origin);

    [Fact]
    public async Task Two_new_accounts_racing_for_one_credential_id_leave_only_the_winner()
    {
        var names = new[] { AccountsApi.NewName("race-a"), AccountsApi.NewName("race-b") };
        var first = _authenticator.Create(await Passkeys.OptionsAsync("/auth/register/options", new { name = names[0] }));
        var credentialId = (string)first["id"]!;
        var second = _authenticator.Create(await Passkeys.OptionsAsync("/auth/register/options", new { name = names[1] }), credentialId);

        // Both ceremonies have seen the credential id free before either goes on.
        Fixture.Gate.Arm<IPasskeyCredentialGrain>(nameof(IPasskeyCredentialGrain.Owner), credentialId, callers: 2);
        var answers = await Task.WhenAll(Passkeys.VerifyAsync("/auth/register/verify", first), Passkeys.VerifyAsync("/auth/register/verify", second));

        var won = Assert.Single(answers, a => a.StatusCode == HttpStatusCode.OK);
        var lost = Assert.Single(answers, a => a.StatusCode != HttpStatusCode.OK);
        await AccountsApi.ExpectErrorAsync(lost, HttpStatusCode.BadRequest, "Registration verification failed.");
        var winner = await AccountsApi.ExpectJsonAsync(won, HttpStatusCode.OK);
        Assert.Equal((string?)winner["user"]!["id"], await Host.Grains.GetGrain<IPasskeyCredentialGrain>(credentialId).Owner());

        // The loser's name is free again: no account without a passkey holds it.
        var loserName = names.Single(n => n != (string?)winner["user"]!["name"]);
        await AccountsApi.ExpectErrorAsync(await Passkeys.PostAsync("/auth/login/options", new { username = loserName }), HttpStatusCode.BadRequest, "Invalid credentials.");
        var again = new SoftwareAuthenticator(PasskeyHost.Origin);
        var registered = await Passkeys.RegisterAsync(again, loserName);
        Assert.Equal(loserName, (string?)registered["user"]!["name"]);
    }

    [Fact]
    public async Task Of_two_parallel_sign_ins_with_the_same_sign_count_exactly_one_succeeds()
    {
        var name = AccountsApi.NewName("clone");
        var session = await Passkeys.RegisterAsync(_authenticator, name);
        var userId = (string)session["user"]!["id"]!;
        var requests = new[]
        {
            await Passkeys.OptionsAsync("/auth/login/options", new { username = name }),
            await Passkeys.OptionsAsync("/auth/login/options", new { username = name }),
        };
        var credentialId = (string)requests[0]["allowCredentials"]![0]!["id"]!;
        var original = _authenticator.Get(requests[0]);
        var count = _authenticator.SignCount(credentialId);
        // The clone signs with the counter the original just used.
        _authenticator.RewindSignCount(credentialId, count - 1);
        var clone = _authenticator.Get(requests[1]);

        // Both sign-ins have read the stored counter before either stores its own.
        Fixture.Gate.Arm<IUserGrain>(nameof(IUserGrain.Passkeys), userId, callers: 2);
        var answers = await Task.WhenAll(Passkeys.VerifyAsync("/auth/login/verify", original), Passkeys.VerifyAsync("/auth/login/verify", clone));

        Assert.Single(answers, a => a.StatusCode == HttpStatusCode.OK);
        await AccountsApi.ExpectErrorAsync(Assert.Single(answers, a => a.StatusCode != HttpStatusCode.OK), HttpStatusCode.BadRequest, "Authentication verification failed.");
        Assert.Equal(count, Assert.Single(await Host.Grains.GetGrain<IUserGrain>(userId).Passkeys()).SignCount);
    }
}
