using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace OrbitGrains.Tests.Accounts;

public sealed class PasskeyRestartTests : IDisposable
{
    private readonly TempDirectory _data = new("orbit-passkey-restart");

    [Fact]
    public async Task Passkeys_and_user_tokens_survive_a_restart_of_the_embedded_host()
    {
        var serviceId = $"restart-{Guid.NewGuid():N}";
        var authenticator = new SoftwareAuthenticator(PasskeyHost.Origin);
        var name = AccountsApi.NewName("pk");
        var email = $"{Guid.NewGuid():N}"[..10] + "@example.com";
        string userToken;

        await using (var before = await StartAsync(serviceId))
        {
            var options = await PostAsync(before, "/auth/register/options", new { name });
            var registered = await before.Http.SendAsync(Post("/auth/register/verify", new { credential = authenticator.Create((await options.Content.ReadFromJsonAsync<JsonObject>())!) }));
            Assert.Equal(HttpStatusCode.OK, registered.StatusCode);
            var signup = await PostAsync(before, "/v1/auth/signup", new { email, password = "survives restarts" });
            userToken = (string)(await signup.Content.ReadFromJsonAsync<JsonObject>())!["userToken"]!;
        }

        await using var after = await StartAsync(serviceId);
        var request = await (await PostAsync(after, "/auth/login/options", new { username = name })).Content.ReadFromJsonAsync<JsonObject>();
        var signedIn = await after.Http.SendAsync(Post("/auth/login/verify", new { credential = authenticator.Get(request!) }));
        Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);

        var rotate = new HttpRequestMessage(HttpMethod.Post, "/v1/user-token/rotate");
        rotate.Headers.Authorization = new("Bearer", userToken);
        Assert.Equal(HttpStatusCode.OK, (await after.Http.SendAsync(rotate)).StatusCode);
    }

    private Task<RunningHost> StartAsync(string serviceId)
    {
        var configuration = RunningHost.IsolatedConfiguration(_data.Path, serviceId);
        configuration["AUTH_MODE"] = "passkey";
        configuration["PASSKEY_ORIGIN"] = PasskeyHost.Origin;
        return RunningHost.StartFrontEndAsync(configuration);
    }

    private static Task<HttpResponseMessage> PostAsync(RunningHost host, string path, object body) => host.Http.SendAsync(Post(path, body));

    private static HttpRequestMessage Post(string path, object body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Add("Origin", PasskeyHost.Origin);
        return request;
    }

    public void Dispose() => _data.Dispose();
}
