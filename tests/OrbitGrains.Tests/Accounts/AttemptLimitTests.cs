using System.Net;

namespace OrbitGrains.Tests.Accounts;

public sealed class GuessLimitHost : AccountsHost
{
    public const int Limit = 10;

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["LOGIN_MAX_FAILURES"] = Limit.ToString(),
        ["LOGIN_MAX_FAILURES_PER_ADDRESS"] = "100000",
        ["LOGIN_FAILURE_WINDOW_SEC"] = "60",
    };
}

/// <summary>Guesses reserve their slot before they are checked, so parallel guesses never check more than the limit.</summary>
public sealed class GuessLimitTests(GuessLimitHost host) : AccountsHostTest<GuessLimitHost>(host)
{
    private const string Password = "the right password";

    [Fact]
    public async Task Sixty_parallel_wrong_passwords_check_at_most_the_limit_and_the_rest_get_429()
    {
        var name = AccountsApi.NewName("guessed");
        await Api.RegisterAsync(name, Password);

        var answers = await Task.WhenAll(Enumerable.Range(0, 60).Select(async i =>
        {
            using var response = await Api.PostJsonAsync("/auth/login/basic", new { username = name, password = $"wrong guess {i}" });
            return response.StatusCode;
        }));

        // A 400 is a password that was checked; a 429 was refused before any check.
        Assert.InRange(answers.Count(a => a == HttpStatusCode.BadRequest), 1, GuessLimitHost.Limit);
        Assert.Equal(60, answers.Count(a => a is HttpStatusCode.BadRequest or HttpStatusCode.TooManyRequests));
        using (var right = await Api.PostJsonAsync("/auth/login/basic", new { username = name, password = Password }))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, right.StatusCode);
        }

        Clock.Advance(TimeSpan.FromSeconds(61));
        await Api.LoginAsync(name, Password);
    }

    [Fact]
    public async Task Three_hundred_wrong_user_codes_are_answered_429_after_the_limit_per_user()
    {
        var session = await Api.RegisterAsync(AccountsApi.NewName("codes"));
        var code = await Api.DeviceCodeAsync();

        var answers = new List<HttpStatusCode>();
        foreach (var batch in Enumerable.Range(0, 300).Chunk(30))
        {
            answers.AddRange(await Task.WhenAll(batch.Select(async i =>
            {
                using var response = await Api.AuthoriseAsync($"WXYZ-{i:0000}", session.Token);
                return response.StatusCode;
            })));
        }

        Assert.InRange(answers.Count(a => a == HttpStatusCode.BadRequest), 1, GuessLimitHost.Limit);
        Assert.Equal(300 - answers.Count(a => a == HttpStatusCode.BadRequest), answers.Count(a => a == HttpStatusCode.TooManyRequests));
        // Even the right code waits now: the user has used up their guesses.
        using (var right = await Api.AuthoriseAsync((string)code["userCode"]!, session.Token))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, right.StatusCode);
            Assert.True(right.Headers.Contains("Retry-After"));
        }

        // Another user is not affected by this one's guesses.
        var other = await Api.RegisterAsync(AccountsApi.NewName("other"));
        using (var theirs = await Api.AuthoriseAsync((string)code["userCode"]!, other.Token))
        {
            Assert.Equal(HttpStatusCode.OK, theirs.StatusCode);
        }
    }
}

public sealed class CreationLimitHost : AccountsHost
{
    public const int Limit = 4;

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["ANONYMOUS_CREATIONS_PER_ADDRESS"] = Limit.ToString(),
        ["ANONYMOUS_CREATION_WINDOW_SEC"] = "600",
    };
}

/// <summary>What anyone may create without signing in (accounts, device codes) is limited per address, cluster-wide.</summary>
public sealed class CreationLimitTests(CreationLimitHost host) : AccountsHostTest<CreationLimitHost>(host)
{
    [Fact]
    public async Task Sign_ups_and_device_codes_from_one_address_share_a_limit_and_the_refused_create_nothing()
    {
        var answers = await Task.WhenAll(Enumerable.Range(0, 10).Select(async i =>
        {
            using var response = i % 2 == 0
                ? await Api.PostJsonAsync("/auth/register/basic", new { name = AccountsApi.NewName($"flood{i}") })
                : await Api.PostJsonAsync("/auth/device/code", null);
            return response.StatusCode;
        }));

        Assert.Equal(CreationLimitHost.Limit, answers.Count(a => a == HttpStatusCode.OK));
        Assert.Equal(10 - CreationLimitHost.Limit, answers.Count(a => a == HttpStatusCode.TooManyRequests));
        var refusedName = AccountsApi.NewName("refused");
        using (var refused = await Api.PostJsonAsync("/api/auth/signup", new { email = refusedName + "@example.com", password = "long enough" }))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        }

        Clock.Advance(TimeSpan.FromSeconds(601));
        Assert.Equal(HttpStatusCode.Created, (await Api.PostJsonAsync("/api/auth/signup", new { email = refusedName + "@example.com", password = "long enough" })).StatusCode);
    }
}
