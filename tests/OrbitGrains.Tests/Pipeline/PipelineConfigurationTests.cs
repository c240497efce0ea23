using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OrbitGrains.Hosting;

namespace OrbitGrains.Tests.Pipeline;

/// <summary>The original console's configuration file works, and a key the product does not know stops the start.</summary>
public sealed class PipelineConfigurationTests
{
    // The original console's conf/operator.yaml layout and key names, with limits changed so that applying them shows.
    private const string OriginalYaml = """
        server:
          host: "127.0.0.1"
          port: 8008
          workers: 1
          log_level: "info"
          allow_external_bind: false
        security:
          admin_token_env: "ADMIN_TOKEN"
          default_token: "default-admin-token-change-me"
          rate_limiting:
            enabled: true
            job_creation_per_minute: 2
            api_requests_per_minute: 600
            burst_size: 50
          cors:
            enabled: false
            allow_origins: []
            allow_credentials: false
            allow_methods: []
            allow_headers: []
            expose_headers: []
            max_age: 86400
          security_headers:
            enabled: true
            hsts_seconds: 1234
            content_security_policy: "default-src 'self'"
            x_content_type_options: "nosniff"
            x_frame_options: "SAMEORIGIN"
            x_xss_protection: "1; mode=block"
        gates:
          script: { required: true, auto_approve: false, auto_approve_after_s: null }
          storyboard: { required: true, auto_approve: false, auto_approve_after_s: null }
          assets: { required: true, auto_approve: false, auto_approve_after_s: null }
          audio: { required: true, auto_approve: false, auto_approve_after_s: null }
          outline: { required: false, auto_approve: true, auto_approve_after_s: 1800 }
          research: { required: false, auto_approve: true, auto_approve_after_s: 2700 }
          animatics: { required: false, auto_approve: true, auto_approve_after_s: 5400 }
          assemble: { required: false, auto_approve: true, auto_approve_after_s: 7200 }
          acceptance: { required: false, auto_approve: true, auto_approve_after_s: 1800 }
        storage:
          db_path: "jobs.db"
          runs_dir: "runs"
          artifacts_dir: "artifacts"
          events_retention_days: 30
          max_events_per_job: 1000
        pipeline:
          max_concurrent_jobs: 1
          job_timeout_hours: 24
          stage_timeouts: { outline: 30, research: 45, script: 60, storyboard: 120, assets: 180, animatics: 90, audio: 60, assemble: 120, acceptance: 30 }
        ui:
          enabled: true
          port: 7860
          share: false
          debug: false
          features: { real_time_updates: true, sse_enabled: true, polling_fallback: true, download_artifacts: true, job_cancellation: true }
        """;

    [Fact]
    public async Task The_original_yaml_starts_the_product_and_its_limits_apply()
    {
        using var data = new TempDirectory();
        var file = Path.Combine(data.Path, "operator.yaml");
        await File.WriteAllTextAsync(file, OriginalYaml);
        var configuration = OriginalConfiguration(data, file);
        await using var host = await PipelineHost.StartAsync(configuration);
        var http = host.Http;

        var config = await http.GetFromJsonAsync<JsonElement>("/api/v1/config/operator");
        var limits = config.GetProperty("security").GetProperty("rate_limiting");
        Assert.Equal(2, limits.GetProperty("jobs_per_minute").GetInt32());
        Assert.Equal(2, limits.GetProperty("job_creation_per_minute").GetInt32());
        Assert.Equal(600, limits.GetProperty("requests_per_minute").GetInt32());
        Assert.Equal(1234, config.GetProperty("security").GetProperty("security_headers").GetProperty("hsts_seconds").GetInt32());
        Assert.Equal(1, config.GetProperty("pipeline").GetProperty("max_concurrent_jobs").GetInt32());
        Assert.Equal("SAMEORIGIN", (await http.GetAsync("/api/v1/jobs")).Headers.GetValues("X-Frame-Options").Single());
        Assert.DoesNotContain("default-admin-token", await http.GetStringAsync("/api/v1/config/operator"));

        // job_creation_per_minute: 2 -> the third job in a minute is refused; max_concurrent_jobs: 1 -> the second waits.
        var first = await http.CreateJobAsync("original-1");
        var second = await http.CreateJobAsync("original-2");
        Assert.Equal("queued", second.GetProperty("status").GetString());
        var third = await http.PostAsJsonAsync("/api/v1/jobs", new { slug = "original-3", intent = "over the limit" });
        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);

        // auto_approve: false on required gates, optional gates passed without waiting (stages of 50 ms here).
        var id = first.GetProperty("id").GetString()!;
        var job = await http.WaitForGateAsync(id, "script");
        Assert.False(job.GetProperty("gates")[2].TryGetProperty("auto_approve_after_s", out _));
        await http.PostForDetailAsync($"/api/v1/jobs/{id}/cancel");
        await http.WaitForGateAsync(second.GetProperty("id").GetString()!, "script");

        var validate = await (await http.PostAsync("/api/v1/config/validate", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(validate.GetProperty("valid").GetBoolean(), validate.ToString());

        // An edit that would not start is reported by validate, before anyone restarts with it.
        await File.WriteAllTextAsync(file, OriginalYaml.Replace("burst_size: 50", "burst_sise: 50"));
        validate = await (await http.PostAsync("/api/v1/config/validate", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(validate.GetProperty("valid").GetBoolean());
        Assert.Contains("security.rate_limiting.burst_sise", validate.GetProperty("problems")[0].GetString());
    }

    [Fact]
    public async Task An_unknown_key_stops_the_start_and_names_the_key_wherever_it_comes_from()
    {
        using var data = new TempDirectory();
        var file = Path.Combine(data.Path, "operator.yaml");
        var configuration = OriginalConfiguration(data, file);

        foreach (var (yaml, expected) in new[]
        {
            (OriginalYaml.Replace("job_creation_per_minute: 2", "job_creation_per_minut: 2"), "unknown key security.rate_limiting.job_creation_per_minut"),
            (OriginalYaml + "\nextras: { a: 1 }", "unknown key extras"),
            (OriginalYaml.Replace("auto_approve: true, auto_approve_after_s: 1800 }", "auto_aprove: true }"), "unknown key gates.outline.auto_aprove"),
            (OriginalYaml.Replace("port: 8008", "port: { number: 8008 }"), "server.port.number is not a setting"),
            (OriginalYaml.Replace("burst_size: 50", "burst_size: 50\n    jobs_per_minute: 3"), "sets both security.rate_limiting.job_creation_per_minute and security.rate_limiting.jobs_per_minute"),
            (OriginalYaml.Replace("outline: { required: false, auto_approve: true, auto_approve_after_s: 1800 }", "outline: { required: false, review: true, auto_approve_after_s: 0 }"), "review needs auto_approve_after_s"),
        })
        {
            await File.WriteAllTextAsync(file, yaml);
            var error = await Assert.ThrowsAsync<OrbitConfigurationException>(() => PipelineSecurityTests.CreateAsync(configuration));
            Assert.Contains(expected, error.Message);
        }

        // From the environment (or any other source) the same: a misspelt override must not silently do nothing.
        await File.WriteAllTextAsync(file, OriginalYaml);
        configuration["Operator:pipeline:max_concurent_jobs"] = "3";
        var envError = await Assert.ThrowsAsync<OrbitConfigurationException>(() => PipelineSecurityTests.CreateAsync(configuration));
        Assert.Contains("unknown key pipeline.max_concurent_jobs", envError.Message);
        Assert.Contains("max_concurrent_jobs", envError.Message);

        configuration.Remove("Operator:pipeline:max_concurent_jobs");
        configuration["Operator:security:rate_limiting:api_requests_per_minute"] = "10";
        var aliasError = await Assert.ThrowsAsync<OrbitConfigurationException>(() => PipelineSecurityTests.CreateAsync(configuration));
        Assert.Contains("use security.rate_limiting.requests_per_minute", aliasError.Message);
    }

    private static Dictionary<string, string?> OriginalConfiguration(TempDirectory data, string file)
    {
        var configuration = PipelineHost.Configuration(Path.Combine(data.Path, "node"), "original-yaml", reviewOptionalGates: false);
        configuration["OPERATOR_CONFIG"] = file;
        foreach (var key in configuration.Keys.Where(key => key.StartsWith("Operator:security:rate_limiting:", StringComparison.Ordinal)).ToList())
        {
            // The file's limits are the subject here.
            configuration.Remove(key);
        }

        return configuration;
    }
}
