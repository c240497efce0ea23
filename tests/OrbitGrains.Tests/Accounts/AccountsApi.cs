using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OrbitGrains.Tests.Accounts;

/// <summary>The `/auth/*` routes as the web client and the Anchor call them, over real HTTP.</summary>
public sealed class AccountsApi(HttpClient http)
{
    public HttpClient Http => http;

    public static string NewName(string prefix = "user") => $"{prefix}-{Guid.NewGuid():N}"[..24];

    public Task<HttpResponseMessage> PostJsonAsync(string path, object? body, string? bearer = null) =>
        SendAsync(HttpMethod.Post, path, body is null ? null : JsonSerializer.Serialize(body), bearer);

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? rawBody, string? bearer = null)
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

    public async Task<Session> RegisterAsync(string name, string? password = null)
    {
        var response = await PostJsonAsync("/auth/register/basic", password is null ? new { name } : new { name, password });
        return Session.From(await ExpectJsonAsync(response, HttpStatusCode.OK));
    }

    public async Task<Session> LoginAsync(string username, string? password = null)
    {
        var response = await PostJsonAsync("/auth/login/basic", password is null ? new { username } : new { username, password });
        return Session.From(await ExpectJsonAsync(response, HttpStatusCode.OK));
    }

    public async Task<JsonObject> SessionStatusAsync(string? bearer) =>
        await ExpectJsonAsync(await SendAsync(HttpMethod.Get, "/auth/session", null, bearer), HttpStatusCode.OK);

    public async Task<bool> IsSignedInAsync(string token) => (bool)(await SessionStatusAsync(token))["authenticated"]!;

    public async Task<HttpStatusCode> PreflightAsync(string path, string token)
    {
        using var response = await http.GetAsync($"{path}?token={Uri.EscapeDataString(token)}");
        return response.StatusCode;
    }

    public Task<HttpResponseMessage> RefreshAsync(string refreshToken) => PostJsonAsync("/auth/refresh", new { refreshToken });

    public async Task LogoutAsync(string token)
    {
        using var response = await SendAsync(HttpMethod.Post, "/auth/logout", null, token);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    public async Task<JsonObject> DeviceCodeAsync() =>
        await ExpectJsonAsync(await PostJsonAsync("/auth/device/code", null), HttpStatusCode.OK);

    public Task<HttpResponseMessage> AuthoriseAsync(string userCode, string? bearer) =>
        PostJsonAsync("/auth/device/authorise", new { userCode }, bearer);

    public async Task<JsonObject> PollAsync(string deviceCode) =>
        await ExpectJsonAsync(await PostJsonAsync("/auth/device/token", new { deviceCode }), HttpStatusCode.OK);

    /// <summary>Runs the whole device flow for a signed-in user; the authorised poll answer.</summary>
    public async Task<JsonObject> SignInAnchorAsync(string webToken)
    {
        var code = await DeviceCodeAsync();
        using (var authorised = await AuthoriseAsync((string)code["userCode"]!, webToken))
        {
            Assert.Equal(HttpStatusCode.OK, authorised.StatusCode);
        }

        var poll = await PollAsync((string)code["deviceCode"]!);
        Assert.Equal("authorised", (string?)poll["status"]);
        return poll;
    }

    public static async Task<JsonObject> ExpectJsonAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
            Assert.Contains("json", response.Content.Headers.ContentType?.MediaType ?? "");
            return JsonNode.Parse(text)!.AsObject();
        }
    }

    /// <summary>Asserts an error of this family: the status and `{"error": message}`.</summary>
    public static async Task ExpectErrorAsync(HttpResponseMessage response, HttpStatusCode status, string message)
    {
        var body = await ExpectJsonAsync(response, status);
        Assert.Equal(message, (string?)body["error"]);
    }
}

public sealed record Session(string Token, string RefreshToken, string UserId, string Name)
{
    public static Session From(JsonObject body)
    {
        Assert.True((bool)body["verified"]!);
        var user = body["user"]!.AsObject();
        return new Session((string)body["token"]!, (string)body["refreshToken"]!, (string)user["id"]!, (string)user["name"]!);
    }
}
