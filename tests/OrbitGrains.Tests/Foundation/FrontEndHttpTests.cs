using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OrbitGrains.Hosting;
using OrbitGrains.WebFrontend.Hosting;

namespace OrbitGrains.Tests.Foundation;

/// <summary>The front end's own surface over real HTTP: health, readiness, dashboard protection, OpenAPI, errors.</summary>
public sealed class FrontEndHttpTests : IAsyncLifetime
{
    private const string AdminToken = "front-end-test-admin-token-0123456789abcdef";
    private readonly TempDirectory _data = new();
    private RunningHost _host = null!;

    public async Task InitializeAsync()
    {
        var configuration = RunningHost.IsolatedConfiguration(_data.Path, "http");
        configuration["ADMIN_TOKEN"] = AdminToken;
        _host = await RunningHost.StartFrontEndAsync(configuration);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task Health_carries_the_keys_of_every_family_with_live_counts()
    {
        var health = await _host.Http.GetFromJsonAsync<JsonElement>("/health");

        Assert.Equal("ok", health.GetProperty("status").GetString());
        Assert.Equal("orbitgrains", health.GetProperty("service").GetString());
        Assert.Equal("basic", health.GetProperty("authMode").GetString());
        Assert.Equal(0, health.GetProperty("clients").GetInt64());
        Assert.Equal(0, health.GetProperty("anchors").GetInt64());
        Assert.Equal(0, health.GetProperty("active_connections").GetInt64());
        var cluster = health.GetProperty("cluster");
        Assert.Equal("localhost", cluster.GetProperty("mode").GetString());
        Assert.True(cluster.GetProperty("ready").GetBoolean());
        Assert.Equal(1, cluster.GetProperty("activeSilos").GetInt32());
    }

    [Fact]
    public async Task Health_counts_follow_the_connection_counters()
    {
        var counters = _host.Services.GetRequiredService<WebFrontend.Health.ConnectionCounters>();
        using (counters.Track(WebFrontend.Health.ConnectionKind.Anchor))
        using (counters.Track(WebFrontend.Health.ConnectionKind.Client))
        using (counters.Track(WebFrontend.Health.ConnectionKind.Client))
        {
            var during = await _host.Http.GetFromJsonAsync<JsonElement>("/health");
            Assert.Equal(2, during.GetProperty("clients").GetInt64());
            Assert.Equal(1, during.GetProperty("anchors").GetInt64());
            Assert.Equal(3, during.GetProperty("active_connections").GetInt64());
        }

        var after = await _host.Http.GetFromJsonAsync<JsonElement>("/health");
        Assert.Equal(0, after.GetProperty("active_connections").GetInt64());
    }

    [Fact]
    public async Task Healthz_is_healthy_with_a_current_timestamp()
    {
        var body = await _host.Http.GetFromJsonAsync<JsonElement>("/healthz");
        Assert.Equal("healthy", body.GetProperty("status").GetString());
        var timestamp = body.GetProperty("timestamp").GetDateTimeOffset();
        Assert.InRange(timestamp, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));
    }

    [Fact]
    public async Task Readiness_is_ok_once_the_silo_is_active()
    {
        var response = await _host.Http.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ready", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Dashboard_refuses_requests_without_the_admin_credential()
    {
        var anonymous = await _host.Http.GetAsync("/dashboard/");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Contains("Bearer", anonymous.Headers.WwwAuthenticate.ToString());

        var wrong = await SendAsync(HttpMethod.Get, "/dashboard/", bearer: "not-the-admin-token");
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);

        var huge = await SendAsync(HttpMethod.Get, "/dashboard/", bearer: new string('x', 20_000));
        Assert.Equal(HttpStatusCode.Unauthorized, huge.StatusCode);

        var api = await _host.Http.GetAsync("/dashboard/DashboardCounters");
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
    }

    [Fact]
    public async Task Dashboard_opens_for_the_admin_bearer()
    {
        var response = await SendAsync(HttpMethod.Get, "/dashboard/", bearer: AdminToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("html", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_browser_is_sent_to_the_admin_sign_in_and_its_cookie_opens_the_dashboard()
    {
        using var handler = new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true };
        using var browser = new HttpClient(handler) { BaseAddress = _host.BaseAddress };
        browser.DefaultRequestHeaders.Accept.ParseAdd("text/html");

        var redirected = await browser.GetAsync("/dashboard/");
        Assert.Equal(HttpStatusCode.Redirect, redirected.StatusCode);
        Assert.StartsWith("/admin/login", redirected.Headers.Location!.PathAndQuery);

        var refused = await browser.PostAsync("/admin/login", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = "wrong" }));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Empty(handler.CookieContainer.GetCookies(_host.BaseAddress));

        var signedIn = await browser.PostAsync("/admin/login", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = AdminToken }));
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        var cookie = Assert.Single(handler.CookieContainer.GetCookies(_host.BaseAddress));
        Assert.True(cookie.HttpOnly);

        var dashboard = await browser.GetAsync("/dashboard/");
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
    }

    [Fact]
    public async Task Admin_sign_in_rejects_malformed_posts()
    {
        var json = await _host.Http.PostAsync("/admin/login", JsonContent.Create(new { token = AdminToken }));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, json.StatusCode);

        var empty = await _host.Http.PostAsync("/admin/login", new FormUrlEncodedContent([]));
        Assert.Equal(HttpStatusCode.Unauthorized, empty.StatusCode);

        var longToken = await _host.Http.PostAsync("/admin/login",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = new string('a', 2_000) }));
        Assert.Equal(HttpStatusCode.Unauthorized, longToken.StatusCode);

        // Forms are read by the one body reader, with its limit on the bytes read.
        var oversized = await _host.Http.PostAsync("/admin/login",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = new string('a', 100_000) }));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, oversized.StatusCode);
    }

    [Fact]
    public async Task OpenApi_document_describes_the_routes_and_has_a_browsable_ui()
    {
        var document = await _host.Http.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        Assert.StartsWith("3.", document.GetProperty("openapi").GetString());
        var paths = document.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/health", out _));
        Assert.True(paths.TryGetProperty("/readyz", out _));

        // The Orleans dashboard's routes serve its page only.
        Assert.DoesNotContain(paths.EnumerateObject(), path => path.Name.StartsWith("/dashboard", StringComparison.Ordinal));

        var ui = await _host.Http.GetAsync("/docs/v1");
        Assert.Equal(HttpStatusCode.OK, ui.StatusCode);
        Assert.Contains("html", ui.Content.Headers.ContentType?.MediaType);
        // No AI chat, MCP, developer toolbar (deploy, SDK generation), client button, telemetry or CDN fonts.
        var page = (await ui.Content.ReadAsStringAsync()).Replace(" ", "");
        foreach (var setting in new[]
        {
            "\"agent\":{\"disabled\":true}", "\"mcp\":{\"disabled\":true}", "\"showDeveloperTools\":\"never\"",
            "\"hideClientButton\":true", "\"telemetry\":false", "\"withDefaultFonts\":false",
        })
        {
            Assert.Contains(setting, page);
        }
    }

    [Fact]
    public async Task Unknown_routes_answer_problem_details()
    {
        var response = await _host.Http.GetAsync("/no/such/route");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(404, problem.GetProperty("status").GetInt32());
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string bearer)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return _host.Http.SendAsync(request);
    }
}

public sealed class ReadinessTests
{
    [Fact]
    public async Task Readiness_is_false_until_the_silo_has_started_and_false_again_after_it_stops()
    {
        using var data = new TempDirectory();
        var configuration = RunningHost.IsolatedConfiguration(data.Path, "readiness");
        var app = await OrbitWebApp.CreateAsync(["--environment", "Production"],
            builder => Microsoft.Extensions.Configuration.MemoryConfigurationBuilderExtensions.AddInMemoryCollection(builder.Configuration, configuration));
        var readiness = app.Services.GetRequiredService<SiloReadiness>();

        Assert.False(readiness.IsActive);
        await app.StartAsync();
        Assert.True(readiness.IsActive);
        await app.StopAsync();
        Assert.False(readiness.IsActive);
        await app.DisposeAsync();
    }
}
