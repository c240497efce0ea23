using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using OrbitGrains.Hosting;

namespace OrbitGrains.Tests.WebClient;

/// <summary>A person's web session as the client keeps it in localStorage (`orbitgrains.session`).</summary>
public sealed record PersonSession(string Email, string Token, string RefreshToken, string UserId, string Name);

/// <summary>
/// One product front end and one Chromium for a class of web client tests. The product runs as a person would run
/// it, in passkey mode on http://localhost:PORT (the one plain-HTTP origin WebAuthn allows), with short pipeline
/// stages. Its first account (an email sign-up) is the admin every page test can use; more people are made per test.
/// </summary>
public class WebClientHost : IAsyncLifetime
{
    public const string AdminToken = "webclient-test-admin-token-0123456789abcdef";
    private const string JwtSecret = "webclient-test-jwt-secret-0123456789abcdefghij";
    public const string Password = "correct horse battery staple";

    private readonly TempDirectory _data = new("orbit-webclient");
    private RunningHost? _host;
    private Chromium? _chromium;

    public int Port { get; private set; }

    /// <summary>The product as the browser sees it.</summary>
    public Uri Origin => new($"http://localhost:{Port}");

    public RunningHost Host => _host ?? throw new InvalidOperationException("The product did not start.");

    public HttpClient Http => Host.Http;

    public Chromium Chromium => _chromium ?? throw new InvalidOperationException("The browser did not start.");

    /// <summary>The first account: the admin.</summary>
    public PersonSession Admin { get; private set; } = null!;

    /// <summary>Settings a test class needs on top of the defaults here.</summary>
    protected virtual IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>();

    public virtual async Task InitializeAsync()
    {
        var chromium = Chromium.StartAsync();
        try
        {
            _host = await StartProductAsync();
            Admin = await NewPersonAsync("admin");
            await PromoteAsync(Admin.UserId, "admin");
        }
        finally
        {
            try
            {
                _chromium = await chromium;
            }
            catch when (_host is null)
            {
                // The product's failure is the one worth reporting.
            }
        }
    }

    public virtual async Task DisposeAsync()
    {
        if (_chromium is not null)
        {
            await _chromium.DisposeAsync();
        }

        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        _data.Dispose();
    }

    /// <summary>Signs a new person up by email (the route every sign-up policy keeps) and returns a session of theirs.</summary>
    public async Task<PersonSession> NewPersonAsync(string prefix)
    {
        var email = $"{prefix}-{Guid.NewGuid():N}"[..20] + "@example.test";
        var response = await Http.PostAsJsonAsync("/api/auth/signup", new { email, password = Password });
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"sign-up: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await SessionForAsync(email);
    }

    /// <summary>A fresh session of an existing person (its own refresh chain, so pages never share one).</summary>
    public async Task<PersonSession> SessionForAsync(string email)
    {
        var login = await Http.PostAsJsonAsync("/api/auth/login", new { email, password = Password });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var tokens = (await login.Content.ReadFromJsonAsync<JsonObject>())!;
        var token = (string)tokens["access_token"]!;
        var status = await SessionStatusAsync(token);
        var user = status["user"]!;
        return new PersonSession(email, token, (string)tokens["refresh_token"]!, (string)user["id"]!, (string)user["name"]!);
    }

    public async Task<JsonObject> SessionStatusAsync(string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/auth/session");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await Http.SendAsync(request);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    /// <summary>A new browser page, signed in as <paramref name="person"/> (a fresh session of theirs), opened at <paramref name="path"/>.</summary>
    public async Task<IPage> SignedInPageAsync(PersonSession person, string path)
    {
        var session = await SessionForAsync(person.Email);
        var page = await Chromium.NewPageAsync(Origin);
        await page.GotoAsync("/status");
        await page.EvaluateAsync(
            "s => localStorage.setItem('orbitgrains.session', JSON.stringify(s))",
            new { token = session.Token, refreshToken = session.RefreshToken, user = new { id = session.UserId, name = session.Name } });
        await page.GotoAsync(path);
        return page;
    }

    public Task<IPage> AnonymousPageAsync(string path) => Chromium.NewPageAsync(Origin).ContinueWith(async t =>
    {
        await t.Result.GotoAsync(path);
        return t.Result;
    }).Unwrap();

    /// <summary>
    /// Gives a role through the admin route where the product has one (an explicit grant); where it has none, the
    /// first account of a fresh system is the admin already and this asserts that.
    /// </summary>
    private async Task PromoteAsync(string userId, string role)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/admin/users/{userId}/roles")
        {
            Content = JsonContent.Create(new { roles = new[] { role } }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        using var response = await Http.SendAsync(request);
        if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed)
        {
            using var probe = new HttpRequestMessage(HttpMethod.Get, "/api/admin/rooms");
            probe.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Admin.Token);
            Assert.Equal(HttpStatusCode.OK, (await Http.SendAsync(probe)).StatusCode);
            return;
        }

        Assert.True(response.IsSuccessStatusCode, $"granting {role}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private async Task<RunningHost> StartProductAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            Port = FreePorts.Next();
            var configuration = RunningHost.IsolatedConfiguration(_data.Path, $"webclient-{Guid.NewGuid():N}");
            configuration["urls"] = $"http://127.0.0.1:{Port}";
            configuration["AUTH_MODE"] = "passkey";
            configuration["PASSKEY_ORIGIN"] = Origin.ToString().TrimEnd('/');
            configuration["ADMIN_TOKEN"] = AdminToken;
            configuration["CODEX_REMOTE_WEB_JWT_SECRET"] = JwtSecret;
            configuration["Operator:pipeline:stage_duration_ms"] = "300";
            configuration["Operator:security:rate_limiting:requests_per_minute"] = "100000";
            configuration["Operator:security:rate_limiting:burst_size"] = "100000";
            configuration["Operator:security:rate_limiting:jobs_per_minute"] = "100000";
            // Optional gates approve themselves at once, so a job reaches the first required gate (script) quickly.
            foreach (var stage in new[] { "outline", "research", "animatics", "assemble", "acceptance" })
            {
                configuration[$"Operator:gates:{stage}:auto_approve_after_s"] = "1";
            }

            foreach (var (key, value) in Settings)
            {
                configuration[key] = value;
            }

            try
            {
                return await RunningHost.StartFrontEndAsync(configuration);
            }
            catch (Exception ex) when (attempt < 3 && OrbitHostRunner.Describe(ex)?.Contains("port is already in use") == true)
            {
                // A port handed out as free was taken by another host of this parallel run before our silo bound it.
            }
        }
    }
}

/// <summary>Base of the web client page tests: the class's shared product and browser.</summary>
public abstract class WebClientTest<THost>(THost host) : IClassFixture<THost>
    where THost : WebClientHost
{
    protected THost Product => host;

    protected static ILocator Heading(IPage page, string text) =>
        page.GetByRole(AriaRole.Heading, new PageGetByRoleOptions { Name = text, Level = 1 });
}
