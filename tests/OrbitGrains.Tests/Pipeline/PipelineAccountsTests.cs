using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using OrbitGrains.Tests.Accounts;

namespace OrbitGrains.Tests.Pipeline;

/// <summary>Operators drive jobs with their own sign-in: web session tokens and user tokens, recorded by name.</summary>
public sealed class PipelineAccountsTests : IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    private RunningHost _host = null!;

    public async Task InitializeAsync() => _host = await RunningHost.StartFrontEndAsync(PipelineHost.Configuration(_data.Path, "pipeline-accounts"));

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task A_signed_in_operator_creates_and_approves_and_is_recorded_by_name()
    {
        var api = new AccountsApi(_host.Http);
        var name = AccountsApi.NewName("dana");
        var operatorSession = await api.RegisterAsync(name);

        using var http = new HttpClient { BaseAddress = _host.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", operatorSession.Token);
        // Signed up, Dana is a member: the console refuses her until an admin grants the operator role.
        var refused = await http.GetAsync("/api/v1/jobs");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("Not enough permissions: the operator or admin role is required",
            (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        await new AdminApi(_host.Http, PipelineHost.AdminToken).SetRolesAsync(operatorSession.UserId, "operator");
        var created = await http.CreateJobAsync();
        var id = created.GetProperty("id").GetString()!;

        await http.WaitForGateAsync(id, "outline");
        var (status, _) = await http.PostForDetailAsync($"/api/v1/jobs/{id}/approve", """{"stage":"outline","operator":"someone-else"}""");
        Assert.Equal(HttpStatusCode.OK, status);
        var gates = await http.GetFromJsonAsync<JsonElement>($"/api/v1/jobs/{id}/gates/status");
        var outline = gates.GetProperty("gates").EnumerateArray().Single(g => g.GetProperty("stage").GetString() == "outline");
        Assert.Equal(name, outline.GetProperty("by").GetString());

        // A user token of the same person works the same way; a logged-out session does not.
        var email = $"{Guid.NewGuid():N}"[..10] + "@example.com";
        var signup = await api.PostJsonAsync("/v1/auth/signup", new { email, password = "operator password" });
        var signedUp = (await signup.Content.ReadFromJsonAsync<System.Text.Json.Nodes.JsonObject>())!;
        var userToken = (string)signedUp["userToken"]!;
        await new AdminApi(_host.Http, PipelineHost.AdminToken).SetRolesAsync((string)signedUp["userId"]!, "operator");
        using var byUserToken = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/jobs/{id}");
        byUserToken.Headers.Authorization = new AuthenticationHeaderValue("Bearer", userToken);
        Assert.Equal(HttpStatusCode.OK, (await _host.Http.SendAsync(byUserToken)).StatusCode);

        await api.LogoutAsync(operatorSession.Token);
        var afterLogout = await http.GetAsync($"/api/v1/jobs/{id}");
        Assert.Equal(HttpStatusCode.Unauthorized, afterLogout.StatusCode);
        Assert.Equal("Invalid authentication token", (await afterLogout.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }
}
