using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OrbitGrains.Hosting;
using OrbitGrains.Tests.Accounts;

namespace OrbitGrains.Tests.Foundation;

/// <summary>CORS for the product's routes (CORS_ORIGINS) and forwarded headers from configured proxies only.</summary>
public sealed class EdgeTests
{
    private const string WebClient = "https://app.example.test";

    [Fact]
    public async Task A_preflight_from_a_configured_origin_is_allowed_and_from_another_refused()
    {
        using var data = new TempDirectory();
        var configuration = RunningHost.IsolatedConfiguration(data.Path, "cors");
        configuration["CORS_ORIGINS"] = WebClient;
        await using var host = await RunningHost.StartFrontEndAsync(configuration);

        using var allowed = await host.Http.SendAsync(Preflight("/auth/register/basic", WebClient));
        Assert.Equal(HttpStatusCode.NoContent, allowed.StatusCode);
        Assert.Equal(WebClient, allowed.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("Origin", allowed.Headers.Vary);
        Assert.False(allowed.Headers.Contains("Access-Control-Allow-Credentials"));

        using var other = await host.Http.SendAsync(Preflight("/auth/register/basic", "https://evil.example.net"));
        Assert.False(other.Headers.Contains("Access-Control-Allow-Origin"));

        // The real request from the web client's origin carries the header too; the dashboard never does.
        using var register = new HttpRequestMessage(HttpMethod.Post, "/auth/register/basic") { Content = JsonContent.Create(new { name = AccountsApi.NewName("cors") }) };
        register.Headers.Add("Origin", WebClient);
        using var registered = await host.Http.SendAsync(register);
        Assert.Equal(HttpStatusCode.OK, registered.StatusCode);
        Assert.Equal(WebClient, registered.Headers.GetValues("Access-Control-Allow-Origin").Single());
        using var dashboard = await host.Http.SendAsync(Preflight("/dashboard/", WebClient));
        Assert.False(dashboard.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task A_star_opens_cors_without_credentials_and_never_the_passkey_origin_check()
    {
        using var data = new TempDirectory();
        var configuration = RunningHost.IsolatedConfiguration(data.Path, "cors-star");
        configuration["CORS_ORIGINS"] = "*";
        configuration["AUTH_MODE"] = "passkey";
        await using var host = await RunningHost.StartFrontEndAsync(configuration);

        using var preflight = await host.Http.SendAsync(Preflight("/auth/register/options", "https://anywhere.example.org"));
        Assert.Equal("https://anywhere.example.org", preflight.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("Origin", preflight.Headers.Vary);
        Assert.False(preflight.Headers.Contains("Access-Control-Allow-Credentials"));

        using var options = new HttpRequestMessage(HttpMethod.Post, "/auth/register/options") { Content = JsonContent.Create(new { name = "someone" }) };
        options.Headers.Add("Origin", "https://anywhere.example.org");
        using var refused = await host.Http.SendAsync(options);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("Origin not allowed.", (string?)(await refused.Content.ReadFromJsonAsync<JsonObject>())!["error"]);
    }

    [Theory]
    [InlineData("CORS_ORIGINS", "app.example.test")]
    [InlineData("CORS_ORIGINS", "https://app.example.test/path")]
    [InlineData("FORWARDED_PROXIES", "not-an-address")]
    [InlineData("FORWARDED_PROXIES", "10.0.0.0/99")]
    public async Task Malformed_edge_settings_stop_the_start_with_a_message(string key, string value)
    {
        using var data = new TempDirectory();
        var configuration = RunningHost.IsolatedConfiguration(data.Path, "edge-config");
        configuration[key] = value;
        var error = await Assert.ThrowsAsync<OrbitConfigurationException>(() => RunningHost.StartFrontEndAsync(configuration));
        Assert.Contains(key, error.Message);
    }

    [Fact]
    public async Task Behind_a_configured_proxy_limits_key_on_the_forwarded_client_address()
    {
        using var data = new TempDirectory();
        await using var host = await StartThrottledAsync(data, forwardedProxies: "127.0.0.1");

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.BadRequest, await GuessAsync(host, "203.0.113.5"));
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, await GuessAsync(host, "203.0.113.5"));
        // Another client behind the same proxy has its own allowance.
        Assert.Equal(HttpStatusCode.BadRequest, await GuessAsync(host, "203.0.113.6"));
    }

    [Fact]
    public async Task Without_configured_proxies_forwarded_headers_are_ignored()
    {
        using var data = new TempDirectory();
        await using var host = await StartThrottledAsync(data, forwardedProxies: null);

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.BadRequest, await GuessAsync(host, $"203.0.113.{10 + i}"));
        }

        // A made-up X-Forwarded-For buys nothing: every guess came from 127.0.0.1.
        Assert.Equal(HttpStatusCode.TooManyRequests, await GuessAsync(host, "203.0.113.99"));
    }

    private static async Task<RunningHost> StartThrottledAsync(TempDirectory data, string? forwardedProxies)
    {
        var configuration = RunningHost.IsolatedConfiguration(data.Path, "forwarded");
        configuration["LOGIN_MAX_FAILURES"] = "1000";
        configuration["LOGIN_MAX_FAILURES_PER_ADDRESS"] = "3";
        if (forwardedProxies is not null)
        {
            configuration["FORWARDED_PROXIES"] = forwardedProxies;
        }

        return await RunningHost.StartFrontEndAsync(configuration);
    }

    private static async Task<HttpStatusCode> GuessAsync(RunningHost host, string client)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/auth/login/basic") { Content = JsonContent.Create(new { username = AccountsApi.NewName("nobody") }) };
        request.Headers.Add("X-Forwarded-For", client);
        using var response = await host.Http.SendAsync(request);
        return response.StatusCode;
    }

    private static HttpRequestMessage Preflight(string path, string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, path);
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");
        return request;
    }
}
