using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using OrbitGrains.Hosting;
using OrbitGrains.Tests.Hosting;
using OrbitGrains.Tests.Accounts;

namespace OrbitGrains.Tests.Cloud;

/// <summary>One real front end for a Cloud test class, its EC2 the in-test <see cref="FakeEc2"/> through the real SDK.</summary>
public class CloudHost : IAsyncLifetime
{
    public const string AdminToken = "cloud-test-admin-token-0123456789abcdefghij";
    public const string EncryptionKey = "cloud-test-encryption-key-0123456789abcdefghij";
    private readonly TempDirectory _data = new("orbit-cloud");

    public RunningHost Host { get; private set; } = null!;
    public FakeEc2 Ec2 { get; private set; } = null!;
    public CloudApi Api { get; private set; } = null!;
    public string DataPath => _data.Path;
    public string ServiceId { get; } = $"cloud-{Guid.NewGuid():N}";

    /// <summary>Everything the host logged (Information and above), to check that secrets stay out of it.</summary>
    public CapturedLog Log { get; } = new();

    protected virtual IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>();

    /// <summary>The configuration of a Cloud host against <paramref name="ec2"/>; polling every second.</summary>
    public static Dictionary<string, string?> Configuration(string dataDir, string serviceId, FakeEc2? ec2)
    {
        var configuration = RunningHost.IsolatedConfiguration(dataDir, serviceId);
        configuration["ADMIN_TOKEN"] = AdminToken;
        configuration["ENCRYPTION_KEY"] = EncryptionKey;
        configuration["CLOUD_POLL_SEC"] = "1";
        if (ec2 is not null)
        {
            configuration["AWS_ENDPOINT_URL"] = ec2.Url.ToString();
            configuration["AWS_ACCESS_KEY_ID"] = "AKIDTEST";
            configuration["AWS_SECRET_ACCESS_KEY"] = "test-secret-access-key";
            configuration["AWS_REGION"] = "us-east-1";
            configuration["UBUNTU_AMI_ID"] = "ami-0123456789abcdef0";
            configuration["EC2_KEY_PAIR_NAME"] = "cloud-test";
            configuration["EC2_SECURITY_GROUP_ID"] = "sg-0123456789abcdef0";
            configuration["EC2_SUBNET_ID"] = "subnet-0123456789abcdef0";
        }

        return configuration;
    }

    public async Task InitializeAsync()
    {
        Ec2 = await FakeEc2.StartAsync();
        for (var attempt = 1; ; attempt++)
        {
            var configuration = Configuration(_data.Path, ServiceId, Ec2);
            foreach (var (key, value) in Settings)
            {
                configuration[key] = value;
            }

            try
            {
                Host = await RunningHost.StartFrontEndAsync(configuration,
                    configure: builder => builder.Services.AddSingleton<IStartupFilter>(new CapturingStartup(Log)));
                break;
            }
            catch (Exception ex) when (attempt < 3 && OrbitHostRunner.Describe(ex)?.Contains("port is already in use") == true)
            {
                // A port handed out as free was taken by another host of this parallel run before our silo bound it.
            }
        }

        Api = new CloudApi(Host.Http);
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await Ec2.DisposeAsync();
        _data.Dispose();
    }
}

/// <summary>The Cloud routes as the original's clients call them: `/api/auth` sessions, `{"detail"}` errors.</summary>
public sealed class CloudApi(HttpClient http)
{
    public HttpClient Http => http;

    /// <summary>A new account by the cloud family's sign-up; its access token.</summary>
    private const string Password = "cloud password";

    public async Task<string> SignUpAsync() => (await SignUpWithEmailAsync()).Token;

    /// <summary>A new account's email and its first sign-in's access token.</summary>
    public async Task<(string Email, string Token)> SignUpWithEmailAsync()
    {
        var body = new { email = $"cloud-{Guid.NewGuid():N}"[..20] + "@example.com", password = Password };
        var response = await new AccountsApi(http).PostJsonAsync("/api/auth/signup", body);
        return (body.email, (string)(await AccountsApi.ExpectJsonAsync(response, HttpStatusCode.Created))["access_token"]!);
    }

    /// <summary>Another sign-in of an account made by <see cref="SignUpWithEmailAsync"/>: its access token.</summary>
    public async Task<string> LoginAsync(string email)
    {
        var response = await new AccountsApi(http).PostJsonAsync("/api/auth/login", new { email, password = Password });
        return (string)(await AccountsApi.ExpectJsonAsync(response, HttpStatusCode.OK))["access_token"]!;
    }

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? rawBody = null, string? bearer = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (rawBody is not null)
        {
            request.Content = new StringContent(rawBody, Encoding.UTF8, "application/json");
        }

        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        return await http.SendAsync(request);
    }

    public Task<HttpResponseMessage> PostAsync(string path, object body, string bearer) =>
        SendAsync(HttpMethod.Post, path, JsonSerializer.Serialize(body), bearer);

    public async Task<JsonObject> CreateAsync(string bearer, object? body = null) =>
        await AccountsApi.ExpectJsonAsync(await PostAsync("/api/instances", body ?? new { }, bearer), HttpStatusCode.Created);

    public async Task<JsonObject> GetAsync(string bearer, string id) =>
        await AccountsApi.ExpectJsonAsync(await SendAsync(HttpMethod.Get, $"/api/instances/{id}", bearer: bearer), HttpStatusCode.OK);

    public async Task<JsonArray> ListAsync(string bearer) =>
        (await AccountsApi.ExpectJsonAsync(await SendAsync(HttpMethod.Get, "/api/instances", bearer: bearer), HttpStatusCode.OK))["instances"]!.AsArray();

    public async Task<string> StatusAsync(string bearer, string id) => (string)(await GetAsync(bearer, id))["status"]!;

    /// <summary>Asserts an error of this family: the status and `{"detail": message}`.</summary>
    public static async Task ExpectDetailAsync(HttpResponseMessage response, HttpStatusCode status, string message)
    {
        var body = await AccountsApi.ExpectJsonAsync(response, status);
        Assert.Equal(message, (string?)body["detail"]);
    }
}
