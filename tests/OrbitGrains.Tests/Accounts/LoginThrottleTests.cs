using System.Net;

namespace OrbitGrains.Tests.Accounts;

public sealed class NameThrottleHost : AccountsHost
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["LOGIN_MAX_FAILURES"] = "3",
        ["LOGIN_MAX_FAILURES_PER_ADDRESS"] = "1000",
        ["LOGIN_FAILURE_WINDOW_SEC"] = "60",
    };
}

public sealed class LoginThrottlePerNameTests(NameThrottleHost host) : AccountsHostTest<NameThrottleHost>(host)
{
    private const string Password = "a long enough password";

    [Fact]
    public async Task Repeated_failures_for_a_name_are_answered_429_until_the_window_passes()
    {
        var name = AccountsApi.NewName();
        var registered = await Api.RegisterAsync(name, Password);
        for (var i = 0; i < 3; i++)
        {
            await AccountsApi.ExpectErrorAsync(await Login(name, "wrong password!"), HttpStatusCode.BadRequest, "Invalid credentials.");
        }

        // Even the right password waits: the throttle decides before the password is looked at.
        using (var blocked = await Login(name, Password))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, blocked.StatusCode);
            var retryAfter = int.Parse(blocked.Headers.GetValues("Retry-After").Single());
            Assert.InRange(retryAfter, 1, 60);
            var body = await AccountsApi.ExpectJsonAsync(blocked, HttpStatusCode.TooManyRequests);
            Assert.StartsWith("Too many attempts", (string?)body["error"]);
        }

        // Another spelling of the same name shares the bucket.
        using (var otherCase = await Login(name.ToUpperInvariant(), Password))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, otherCase.StatusCode);
        }

        // Other names are not affected.
        var neighbour = AccountsApi.NewName();
        await Api.RegisterAsync(neighbour, Password);
        Assert.Equal(HttpStatusCode.OK, (await Login(neighbour, Password)).StatusCode);

        Clock.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(registered.UserId, (await Api.LoginAsync(name, Password)).UserId);
    }

    [Fact]
    public async Task Successful_logins_do_not_count()
    {
        var name = AccountsApi.NewName();
        await Api.RegisterAsync(name, Password);
        for (var i = 0; i < 5; i++)
        {
            await Api.LoginAsync(name, Password);
        }
    }

    private Task<HttpResponseMessage> Login(string username, string password) =>
        Api.PostJsonAsync("/auth/login/basic", new { username, password });
}

public sealed class AddressThrottleHost : AccountsHost
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["LOGIN_MAX_FAILURES"] = "100",
        ["LOGIN_MAX_FAILURES_PER_ADDRESS"] = "4",
        ["LOGIN_FAILURE_WINDOW_SEC"] = "60",
    };
}

public sealed class LoginThrottlePerAddressTests(AddressThrottleHost host) : AccountsHostTest<AddressThrottleHost>(host)
{
    [Fact]
    public async Task Failures_spread_over_many_names_are_throttled_per_address()
    {
        var name = AccountsApi.NewName();
        await Api.RegisterAsync(name);
        for (var i = 0; i < 4; i++)
        {
            await AccountsApi.ExpectErrorAsync(
                await Api.PostJsonAsync("/auth/login/basic", new { username = AccountsApi.NewName("guess") }), HttpStatusCode.BadRequest, "Invalid credentials.");
        }

        using (var blocked = await Api.PostJsonAsync("/auth/login/basic", new { username = name }))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, blocked.StatusCode);
            Assert.True(blocked.Headers.Contains("Retry-After"));
        }

        Clock.Advance(TimeSpan.FromSeconds(61));
        await Api.LoginAsync(name);
    }
}
