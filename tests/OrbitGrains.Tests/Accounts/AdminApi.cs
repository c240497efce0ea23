using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace OrbitGrains.Tests.Accounts;

/// <summary>The admin routes of the Accounts family as an admin calls them.</summary>
public sealed class AdminApi(HttpClient http, string adminBearer)
{
    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? body = null, string? bearer = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer ?? adminBearer);
        return await http.SendAsync(request);
    }

    public async Task<JsonObject> SetRolesAsync(string userId, params string[] roles) =>
        await AccountsApi.ExpectJsonAsync(await SendAsync(HttpMethod.Put, $"/api/admin/users/{userId}/roles", new { roles }), HttpStatusCode.OK);

    public async Task<JsonObject> DisableAsync(string userId) =>
        await AccountsApi.ExpectJsonAsync(await SendAsync(HttpMethod.Post, $"/api/admin/users/{userId}/disable"), HttpStatusCode.OK);

    public async Task<JsonObject> EnableAsync(string userId) =>
        await AccountsApi.ExpectJsonAsync(await SendAsync(HttpMethod.Post, $"/api/admin/users/{userId}/enable"), HttpStatusCode.OK);

    /// <summary>The status a bearer gets from an admin-only route.</summary>
    public async Task<HttpStatusCode> AdminStatusAsync(string bearer)
    {
        using var response = await SendAsync(HttpMethod.Get, "/api/admin/users?limit=1", bearer: bearer);
        return response.StatusCode;
    }
}
