using System.Net;
using Microsoft.Extensions.Configuration;
using OrbitGrains.Hosting;
using OrbitGrains.WebFrontend.Accounts;

namespace OrbitGrains.Tests.Accounts;

public sealed class AccountsOptionsTests
{
    [Fact]
    public void Defaults_are_the_seeds()
    {
        var options = Load([]);
        Assert.Equal(AuthMode.Basic, options.Mode);
        Assert.Equal(TimeSpan.FromSeconds(3600), options.AccessTtl);
        Assert.Equal(TimeSpan.FromSeconds(604800), options.RefreshTtl);
        Assert.Equal(TimeSpan.FromSeconds(600), options.DeviceCodeTtl);
        Assert.Equal(TimeSpan.FromSeconds(5), options.DevicePollInterval);
        Assert.Equal(TimeSpan.FromSeconds(86400), options.AnchorAccessTtl);
        Assert.Equal(TimeSpan.FromSeconds(2592000), options.AnchorRefreshTtl);
        Assert.Null(options.DeviceVerificationUrl);
        Assert.Equal(10, options.LoginFailuresPerName.MaxFailures);
        Assert.Equal(TimeSpan.FromMinutes(5), options.LoginFailuresPerName.Window);
    }

    [Fact]
    public void Values_are_read_under_the_seed_names()
    {
        var options = Load(new()
        {
            ["AUTH_MODE"] = " Passkey ",
            ["ACCESS_TTL_SEC"] = "60",
            ["ADMIN_USERS"] = "ada, grace ,,",
            ["DEVICE_VERIFICATION_URL"] = "https://app.example.test/device",
        });
        Assert.Equal(AuthMode.Passkey, options.Mode);
        Assert.Equal(TimeSpan.FromSeconds(60), options.AccessTtl);
        // Still read, so start-up can warn that it no longer grants anything.
        Assert.True(options.AdminUsersIgnored);
        Assert.Equal("https://app.example.test/device", options.DeviceVerificationUrl!.ToString());
    }

    [Theory]
    [InlineData("AUTH_MODE", "oauth")]
    [InlineData("ACCESS_TTL_SEC", "0")]
    [InlineData("ACCESS_TTL_SEC", "an hour")]
    [InlineData("REFRESH_TTL_SEC", "-5")]
    [InlineData("DEVICE_CODE_TTL_SEC", "99999999999")]
    [InlineData("DEVICE_CODE_POLL_INTERVAL_SEC", "1.5")]
    [InlineData("ANCHOR_ACCESS_TTL_SEC", "x")]
    [InlineData("ANCHOR_REFRESH_TTL_SEC", "0")]
    [InlineData("DEVICE_VERIFICATION_URL", "ftp://example.test/device")]
    [InlineData("DEVICE_VERIFICATION_URL", "/device")]
    [InlineData("LOGIN_MAX_FAILURES", "0")]
    [InlineData("LOGIN_FAILURE_WINDOW_SEC", "soon")]
    public void Bad_values_stop_start_up_with_a_message_naming_the_variable(string key, string value)
    {
        var error = Assert.Throws<OrbitConfigurationException>(() => Load(new() { [key] = value }));
        Assert.Contains(key, error.Message);
        Assert.Contains(value, error.Message);
    }

    [Fact]
    public async Task The_front_end_refuses_to_start_with_a_bad_value()
    {
        using var data = new TempDirectory();
        var configuration = RunningHost.IsolatedConfiguration(data.Path, $"bad-{Guid.NewGuid():N}");
        configuration["ACCESS_TTL_SEC"] = "forever";
        var error = await Assert.ThrowsAsync<OrbitConfigurationException>(() => RunningHost.StartFrontEndAsync(configuration));
        Assert.Contains("ACCESS_TTL_SEC", error.Message);
    }

    private static AccountsOptions Load(Dictionary<string, string?> values) =>
        AccountsOptions.Load(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
}

public sealed class PasskeyModeHost : AccountsHost
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["AUTH_MODE"] = "passkey" };
}

public sealed class PasskeyModeTests(PasskeyModeHost host) : AccountsHostTest<PasskeyModeHost>(host)
{
    [Fact]
    public async Task Basic_routes_are_disabled_in_passkey_mode()
    {
        var name = AccountsApi.NewName();
        await AccountsApi.ExpectErrorAsync(await Api.PostJsonAsync("/auth/register/basic", new { name }), HttpStatusCode.BadRequest, "Basic auth mode is disabled.");
        await AccountsApi.ExpectErrorAsync(await Api.PostJsonAsync("/auth/login/basic", new { username = name }), HttpStatusCode.BadRequest, "Basic auth mode is disabled.");
        Assert.False((bool)(await Api.SessionStatusAsync(null))["systemHasUsers"]!);
    }

    [Fact]
    public async Task Health_reports_the_configured_mode()
    {
        using var response = await Api.Http.GetAsync("/health");
        Assert.Equal("passkey", (string?)(await AccountsApi.ExpectJsonAsync(response, HttpStatusCode.OK))["authMode"]);
    }
}
