using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using OrbitGrains.Hosting;
using OrbitGrains.WebFrontend.Hosting;

namespace OrbitGrains.Tests.Pipeline;

public sealed class PipelineSecurityTests
{
    [Fact]
    public async Task No_token_is_403_a_wrong_token_is_401_with_a_bearer_challenge()
    {
        using var data = new TempDirectory();
        await using var host = await RunningHost.StartFrontEndAsync(PipelineHost.Configuration(data.Path, "auth"));

        foreach (var (method, path) in new[]
        {
            (HttpMethod.Get, "/api/v1/jobs"), (HttpMethod.Get, "/api/v1/config/operator"), (HttpMethod.Get, "/api/v1/jobs/x/events/stream"),
            (HttpMethod.Get, "/api/v1/events/stream"), (HttpMethod.Get, "/api/v1/patches/types"), (HttpMethod.Get, "/api/v1/jobs/x/gates/decisions"),
            (HttpMethod.Get, "/api/v1/jobs/x/gates/script/decision"), (HttpMethod.Post, "/api/v1/config/validate"), (HttpMethod.Post, "/api/v1/compile-brief"),
            (HttpMethod.Post, "/api/v1/jobs/x/patches/script/apply"), (HttpMethod.Post, "/api/v1/jobs/x/events/ticket"), (HttpMethod.Post, "/api/v1/events/ticket"),
        })
        {
            var anonymous = await host.Http.SendAsync(new HttpRequestMessage(method, path));
            Assert.Equal(HttpStatusCode.Forbidden, anonymous.StatusCode);
            Assert.Equal("Not authenticated", (await anonymous.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());

            var request = new HttpRequestMessage(method, path);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "not-the-token");
            var wrong = await host.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
            Assert.Equal("Invalid authentication token", (await wrong.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
            Assert.Equal("Bearer", wrong.Headers.WwwAuthenticate.ToString());
        }

        var basic = new HttpRequestMessage(HttpMethod.Post, "/api/v1/jobs") { Content = JsonContent.Create(new { slug = "x", intent = "y" }) };
        basic.Headers.Authorization = new AuthenticationHeaderValue("Basic", "YWRtaW46YWRtaW4=");
        Assert.Equal(HttpStatusCode.Forbidden, (await host.Http.SendAsync(basic)).StatusCode);

        // Health routes need nothing.
        Assert.Equal(HttpStatusCode.OK, (await host.Http.GetAsync("/healthz")).StatusCode);
        var health = await host.Http.GetFromJsonAsync<JsonElement>("/api/v1/healthz");
        Assert.True(health.GetProperty("ok").GetBoolean());
        Assert.Equal("ready", health.GetProperty("services").GetProperty("orleans").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Security_headers_are_on_every_response_and_the_dashboard_still_renders()
    {
        using var data = new TempDirectory();
        await using var host = await PipelineHost.StartAsync(PipelineHost.Configuration(data.Path, "headers"));

        foreach (var path in new[] { "/healthz", "/api/v1/jobs", "/no/such/route", "/api/v1/jobs/missing", "/openapi/v1.json" })
        {
            var response = await host.Http.GetAsync(path);
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
            Assert.Equal("1; mode=block", response.Headers.GetValues("X-XSS-Protection").Single());
            Assert.Equal("default-src 'self'", response.Headers.GetValues("Content-Security-Policy").Single());
            // Plain HTTP: HSTS would be ignored by browsers, so it is not sent.
            Assert.False(response.Headers.Contains("Strict-Transport-Security"));
        }

        var dashboard = await host.Http.GetAsync("/dashboard/");
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
        Assert.Contains("<script", await dashboard.Content.ReadAsStringAsync());
        Assert.Contains("script-src 'self' 'unsafe-inline'", dashboard.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("DENY", dashboard.Headers.GetValues("X-Frame-Options").Single());
    }

    [Fact]
    public async Task The_config_endpoint_shows_the_settings_and_no_secret()
    {
        using var data = new TempDirectory();
        var configuration = PipelineHost.Configuration(data.Path, "config");
        configuration["Operator:security:tokens:admin_token"] = "yaml-token-that-must-not-leak-0123456789";
        await using var host = await PipelineHost.StartAsync(configuration);

        var response = await host.Http.GetAsync("/api/v1/config/operator");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain(PipelineHost.AdminToken, text);
        Assert.DoesNotContain(PipelineHost.JwtSecret, text);
        Assert.DoesNotContain("yaml-token-that-must-not-leak", text);
        Assert.DoesNotContain("\"tokens\"", text);
        Assert.DoesNotContain("admin_token", text);

        var config = JsonDocument.Parse(text).RootElement;
        Assert.True(config.GetProperty("gates").GetProperty("script").GetProperty("required").GetBoolean());
        Assert.Equal(1800, config.GetProperty("gates").GetProperty("outline").GetProperty("auto_approve_after_s").GetInt32());
        Assert.False(config.GetProperty("security").GetProperty("cors").GetProperty("enabled").GetBoolean());
        Assert.False(config.GetProperty("server").GetProperty("allow_external_bind").GetBoolean());
        Assert.Equal(50, config.GetProperty("pipeline").GetProperty("stage_duration_ms").GetInt32());
    }

    [Fact]
    public async Task The_sixth_job_in_a_minute_gets_429_with_Retry_After_and_creates_nothing()
    {
        using var data = new TempDirectory();
        var configuration = PipelineHost.Configuration(data.Path, "job-limit");
        configuration.Remove("Operator:security:rate_limiting:jobs_per_minute");
        await using var host = await PipelineHost.StartAsync(configuration);

        for (var i = 0; i < 5; i++)
        {
            await host.Http.CreateJobAsync($"limited-{i}");
        }

        var sixth = await host.Http.PostAsJsonAsync("/api/v1/jobs", new { slug = "sixth", intent = "one too many" });
        Assert.Equal(HttpStatusCode.TooManyRequests, sixth.StatusCode);
        Assert.Equal("Job creation rate limit exceeded. Please wait before creating another job.",
            (await sixth.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        var retryAfter = int.Parse(sixth.Headers.GetValues("Retry-After").Single());
        Assert.InRange(retryAfter, 1, 60);

        var listed = await host.Http.GetAsync("/api/v1/jobs");
        Assert.Equal("5", listed.Headers.GetValues("X-Total-Count").Single());
    }

    [Fact]
    public async Task The_api_limit_answers_429_after_the_burst_and_health_stays_exempt()
    {
        using var data = new TempDirectory();
        var configuration = PipelineHost.Configuration(data.Path, "api-limit");
        configuration["Operator:security:rate_limiting:requests_per_minute"] = "60";
        configuration["Operator:security:rate_limiting:burst_size"] = "3";
        await using var host = await PipelineHost.StartAsync(configuration);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            statuses.Add((await host.Http.GetAsync("/api/v1/jobs")).StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK], statuses.Take(3));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[4]);
        var limited = await host.Http.GetAsync("/api/v1/jobs");
        Assert.True(limited.Headers.Contains("Retry-After"));

        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await host.Http.GetAsync("/api/v1/healthz")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await host.Http.GetAsync("/healthz")).StatusCode);
        }
    }

    [Fact]
    public async Task Cors_is_off_by_default_so_a_preflight_is_refused()
    {
        using var data = new TempDirectory();
        await using var host = await PipelineHost.StartAsync(PipelineHost.Configuration(data.Path, "cors-off"));

        var response = await host.Http.SendAsync(Preflight("https://console.example.org"));
        Assert.False(response.IsSuccessStatusCode);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Cors_when_enabled_allows_only_the_configured_origins()
    {
        using var data = new TempDirectory();
        var configuration = PipelineHost.Configuration(data.Path, "cors-on");
        configuration["Operator:security:cors:enabled"] = "true";
        configuration["Operator:security:cors:allow_origins:0"] = "https://console.example.org";
        await using var host = await PipelineHost.StartAsync(configuration);

        var allowed = await host.Http.SendAsync(Preflight("https://console.example.org"));
        Assert.True(allowed.IsSuccessStatusCode);
        Assert.Equal("https://console.example.org", allowed.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("POST", allowed.Headers.GetValues("Access-Control-Allow-Methods").Single());

        var other = await host.Http.SendAsync(Preflight("https://evil.example.net"));
        Assert.False(other.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task A_non_loopback_binding_is_refused_unless_allow_external_bind()
    {
        using var data = new TempDirectory();
        var configuration = PipelineHost.Configuration(data.Path, "bind");
        configuration["urls"] = "http://0.0.0.0:0";
        var error = await Assert.ThrowsAsync<OrbitConfigurationException>(() => CreateAsync(configuration));
        Assert.Contains("allow_external_bind", error.Message);

        configuration.Remove("urls");
        configuration["HOST"] = "0.0.0.0";
        configuration["PORT"] = FreePorts.Next().ToString();
        await Assert.ThrowsAsync<OrbitConfigurationException>(() => CreateAsync(configuration));

        configuration["Operator:server:allow_external_bind"] = "true";
        var app = await CreateAsync(configuration);
        await app.DisposeAsync();
    }

    [Fact]
    public async Task The_yaml_file_is_read_overridden_by_the_environment_and_refused_when_invalid()
    {
        using var data = new TempDirectory();
        var file = Path.Combine(data.Path, "operator.yaml");
        await File.WriteAllTextAsync(file, """
            gates:
              outline: { required: true, auto_approve_after_s: 0 }
            pipeline:
              stage_duration_ms: 75
            security:
              rate_limiting: { jobs_per_minute: 7 }
            """);
        var configuration = PipelineHost.Configuration(Path.Combine(data.Path, "node"), "yaml");
        configuration["OPERATOR_CONFIG"] = file;
        configuration.Remove("Operator:pipeline:stage_duration_ms");
        configuration.Remove("Operator:security:rate_limiting:jobs_per_minute");
        configuration["Operator:security:rate_limiting:jobs_per_minute"] = "9";
        await using (var host = await PipelineHost.StartAsync(configuration))
        {
            var config = await host.Http.GetFromJsonAsync<JsonElement>("/api/v1/config/operator");
            Assert.True(config.GetProperty("gates").GetProperty("outline").GetProperty("required").GetBoolean());
            Assert.Equal(JsonValueKind.Null, config.GetProperty("gates").GetProperty("outline").GetProperty("auto_approve_after_s").ValueKind);
            Assert.Equal(2700, config.GetProperty("gates").GetProperty("research").GetProperty("auto_approve_after_s").GetInt32());
            Assert.Equal(75, config.GetProperty("pipeline").GetProperty("stage_duration_ms").GetInt32());
            Assert.Equal(9, config.GetProperty("security").GetProperty("rate_limiting").GetProperty("jobs_per_minute").GetInt32());
        }

        foreach (var (yaml, expected) in new[]
        {
            ("gates: [unclosed", "not valid YAML"),
            ("gates:\n  mastering: { required: true }", "unknown stage"),
            ("pipeline:\n  stage_duration_ms: soon", "wrong type"),
            ("security:\n  cors: { enabled: true }", "allow_origins is empty"),
            ("pipeline:\n  runners: { audio: ffmpeg }", "not a stage runner"),
        })
        {
            await File.WriteAllTextAsync(file, yaml);
            var error = await Assert.ThrowsAsync<OrbitConfigurationException>(() => CreateAsync(configuration));
            Assert.Contains(expected, error.Message);
        }

        configuration["OPERATOR_CONFIG"] = Path.Combine(data.Path, "missing.yaml");
        Assert.Contains("does not exist", (await Assert.ThrowsAsync<OrbitConfigurationException>(() => CreateAsync(configuration))).Message);
    }

    [Fact]
    public async Task The_yaml_admin_token_counts_only_without_ADMIN_TOKEN_and_its_shipped_default_is_refused()
    {
        using var data = new TempDirectory();
        var configuration = PipelineHost.Configuration(data.Path, "yaml-token");
        configuration.Remove("ADMIN_TOKEN");
        configuration["Operator:security:tokens:admin_token"] = "default-admin-token-change-me";
        var error = await Assert.ThrowsAsync<OrbitConfigurationException>(() => CreateAsync(configuration));
        Assert.Contains("ADMIN_TOKEN", error.Message);

        const string yamlToken = "operator-yaml-admin-token-0123456789abcdefgh";
        configuration["Operator:security:tokens:admin_token"] = yamlToken;
        await using var host = await RunningHost.StartFrontEndAsync(configuration);
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/jobs");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", yamlToken);
        Assert.Equal(HttpStatusCode.OK, (await host.Http.SendAsync(request)).StatusCode);
    }

    internal static Task<Microsoft.AspNetCore.Builder.WebApplication> CreateAsync(Dictionary<string, string?> configuration) =>
        OrbitWebApp.CreateAsync(["--environment", "Production"],
            builder => Microsoft.Extensions.Configuration.MemoryConfigurationBuilderExtensions.AddInMemoryCollection(builder.Configuration, configuration));

    private static HttpRequestMessage Preflight(string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, "/api/v1/jobs");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");
        return request;
    }
}
