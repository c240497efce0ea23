using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OrbitGrains.Tests.Accounts;

namespace OrbitGrains.Tests.Agents;

/// <summary>The Agents routes as the dashboard (a bearer user token) and an agent (`X-Agent-Token`) call them, over real HTTP.</summary>
public sealed class AgentsApi(HttpClient http)
{
    public HttpClient Http => http;

    /// <summary>A new account by the agents family's own sign-up; its user token.</summary>
    public async Task<string> SignUpAsync()
    {
        var body = new { email = $"agents-{Guid.NewGuid():N}"[..20] + "@example.com", password = "agents password" };
        var response = await new AccountsApi(http).PostJsonAsync("/v1/auth/signup", body);
        return (string)(await AccountsApi.ExpectJsonAsync(response, HttpStatusCode.Created))["userToken"]!;
    }

    /// <summary>Creates an agent; the agent (as listed) and its token.</summary>
    public async Task<(JsonObject Agent, string Token)> CreateAgentAsync(string userToken, string name = "worker", string? description = null)
    {
        var created = await AccountsApi.ExpectJsonAsync(
            await SendAsync(HttpMethod.Post, "/v1/agents", JsonSerializer.Serialize(new { name, description }), bearer: userToken), HttpStatusCode.Created);
        return (created["agent"]!.AsObject(), (string)created["agentToken"]!);
    }

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? rawBody = null, string? bearer = null, string? agentToken = null)
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

        if (agentToken is not null)
        {
            request.Headers.Add("X-Agent-Token", agentToken);
        }

        return await http.SendAsync(request);
    }

    /// <summary>A client whose every request carries the user's bearer (as <see cref="Pipeline.SseClient"/> sends it), without a timeout for streams.</summary>
    public HttpClient ClientOf(string userToken)
    {
        var client = new HttpClient { BaseAddress = http.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", userToken);
        return client;
    }

    /// <summary>Opens the user's `GET /v1/stream` and reads its connected frame.</summary>
    public async Task<(Pipeline.SseClient Stream, Pipeline.SseClient.Frame Connected)> OpenStreamAsync(HttpClient client, long? lastEventId = null)
    {
        var stream = await Pipeline.SseClient.OpenPathAsync(client, "/v1/stream", lastEventId);
        var connected = await stream.NextAsync();
        Assert.Equal("connected", connected.Type);
        return (stream, connected);
    }

    /// <summary>Opens an inbox task for the agent; its id.</summary>
    public async Task<string> AskAsync(string agentToken, string action, int? expiresInSec = null)
    {
        var body = expiresInSec is { } seconds
            ? (object)new { type = "approval_request", message = $"may I {action}?", requiresApproval = true, proposedAction = action, expiresInSec = seconds }
            : new { type = "approval_request", message = $"may I {action}?", requiresApproval = true, proposedAction = action };
        return (string)(await AccountsApi.ExpectJsonAsync(await PostEventAsync(agentToken, body), HttpStatusCode.Created))["taskId"]!;
    }

    public Task<HttpResponseMessage> DecideAsync(string userToken, string taskId, string decision = "approved") =>
        SendAsync(HttpMethod.Post, $"/v1/inbox/{taskId}/decision", $"{{\"decision\":\"{decision}\"}}", bearer: userToken);

    public Task<HttpResponseMessage> PostEventAsync(string agentToken, object body) =>
        SendAsync(HttpMethod.Post, "/v1/events", JsonSerializer.Serialize(body), agentToken: agentToken);

    public async Task<JsonObject> GetAgentAsync(string userToken, string id) =>
        await AccountsApi.ExpectJsonAsync(await SendAsync(HttpMethod.Get, $"/v1/agents/{id}", bearer: userToken), HttpStatusCode.OK);

    public async Task<JsonArray> GetArrayAsync(string path, string? bearer = null, string? agentToken = null)
    {
        using var response = await SendAsync(HttpMethod.Get, path, bearer: bearer, agentToken: agentToken);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsArray();
    }

    /// <summary>Asserts an error of this family: the status and `{"detail": message}`.</summary>
    public static async Task ExpectDetailAsync(HttpResponseMessage response, HttpStatusCode status, string message)
    {
        var body = await AccountsApi.ExpectJsonAsync(response, status);
        Assert.Equal(message, (string?)body["detail"]);
    }

    /// <summary>The masked form the list shows for a token.</summary>
    public static string Masked(string token)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
        return $"sha256:{hash[..8]}...{hash[^4..]}";
    }
}

/// <summary>One front end for an Agents test class.</summary>
public sealed class AgentsHost : AccountsHost;
