using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace OrbitGrains.Tests.Accounts;

/// <summary>The passkey endpoints as a browser on <see cref="PasskeyHost.Origin"/> calls them.</summary>
public sealed class PasskeyApi(HttpClient http)
{
    /// <summary>The options JSON of a 200 answer from an options endpoint.</summary>
    public async Task<JsonObject> OptionsAsync(string path, object body)
    {
        return await AccountsApi.ExpectJsonAsync(await PostAsync(path, body), HttpStatusCode.OK);
    }

    public Task<HttpResponseMessage> VerifyAsync(string path, JsonObject credential) => PostAsync(path, new { credential });

    public Task<HttpResponseMessage> PostAsync(string path, object body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Add("Origin", PasskeyHost.Origin);
        return http.SendAsync(request);
    }

    /// <summary>A new account with a passkey of <paramref name="authenticator"/>; the session response.</summary>
    public async Task<JsonObject> RegisterAsync(SoftwareAuthenticator authenticator, string name)
    {
        var options = await OptionsAsync("/auth/register/options", new { name });
        return await AccountsApi.ExpectJsonAsync(await VerifyAsync("/auth/register/verify", authenticator.Create(options)), HttpStatusCode.OK);
    }
}
