using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using OrbitGrains.Tests.Accounts;

namespace OrbitGrains.Tests.Pipeline;

/// <summary>
/// A person's event stream lasts as long as their access (docs/pipeline.md, Event streams): a ticket speaks for the
/// account as it is when it is redeemed, and an open stream ends when the operator role is revoked, the account is
/// disabled or the sign-in it was opened with logs out; the admin token's streams and other operators' go on.
/// </summary>
public sealed class PipelineStreamAccessTests : IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    private RunningHost _host = null!;

    private AdminApi Admin => new(_host.Http, PipelineHost.AdminToken);

    public async Task InitializeAsync() => _host = await RunningHost.StartFrontEndAsync(PipelineHost.Configuration(_data.Path, "pipeline-stream-access"));

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task Revoking_the_operator_role_ends_the_open_streams_and_refuses_a_ticket_issued_before()
    {
        var (session, dana) = await OperatorAsync("dana");
        var (_, erin) = await OperatorAsync("erin");
        using var admin = Client(PipelineHost.AdminToken);
        await using var byBearer = await OpenAllJobsAsync(dana, null);
        await using var byTicket = await OpenAllJobsAsync(dana, await dana.TicketAsync("/api/v1/events/ticket"));
        var unused = await dana.TicketAsync("/api/v1/events/ticket");
        await using var bystander = await OpenAllJobsAsync(erin, await erin.TicketAsync("/api/v1/events/ticket"));
        await using var adminStream = await OpenAllJobsAsync(admin, null);

        await Admin.SetRolesAsync(session.UserId);

        await byBearer.EndAsync();
        await byTicket.EndAsync();
        using var late = await SseClient.RequestAsync(dana, $"/api/v1/events/stream?ticket={unused}", withBearer: false);
        Assert.Equal(HttpStatusCode.Forbidden, late.StatusCode);

        // Erin's and the admin token's streams still deliver: a job created now reaches both.
        var id = (await admin.CreateJobAsync("after-revoke")).GetProperty("id").GetString()!;
        foreach (var open in new[] { bystander, adminStream })
        {
            await open.ReadUntilAsync(f => f.Type == "job_created" && f.Data.GetProperty("job_id").GetString() == id);
        }

        await admin.PostForDetailAsync($"/api/v1/jobs/{id}/cancel");
    }

    [Fact]
    public async Task Disabling_the_account_or_logging_out_ends_its_streams_and_its_tickets()
    {
        var (session, dana) = await OperatorAsync("dana");
        var (second, frank) = await OperatorAsync("frank");
        await using var danaStream = await OpenAllJobsAsync(dana, await dana.TicketAsync("/api/v1/events/ticket"));
        var unused = await dana.TicketAsync("/api/v1/events/ticket");
        await using var frankStream = await OpenAllJobsAsync(frank, await frank.TicketAsync("/api/v1/events/ticket"));
        var frankUnused = await frank.TicketAsync("/api/v1/events/ticket");

        await Admin.DisableAsync(session.UserId);
        await danaStream.EndAsync();
        using (var refused = await SseClient.RequestAsync(dana, $"/api/v1/events/stream?ticket={unused}", withBearer: false))
        {
            await AssertRefusedAsync(refused, "Stream ticket's account is no longer signed in.");
        }

        await new AccountsApi(_host.Http).LogoutAsync(second.Token);
        await frankStream.EndAsync();
        using var afterLogout = await SseClient.RequestAsync(frank, $"/api/v1/events/stream?ticket={frankUnused}", withBearer: false);
        await AssertRefusedAsync(afterLogout, "Stream ticket's account is no longer signed in.");
    }

    /// <summary>A new person with the operator role: their web session and a client carrying it.</summary>
    private async Task<(Session Session, HttpClient Client)> OperatorAsync(string name)
    {
        var session = await new AccountsApi(_host.Http).RegisterAsync(AccountsApi.NewName(name));
        await Admin.SetRolesAsync(session.UserId, "operator");
        return (session, Client(session.Token));
    }

    private HttpClient Client(string bearer)
    {
        var client = new HttpClient { BaseAddress = _host.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return client;
    }

    private static async Task<SseClient> OpenAllJobsAsync(HttpClient client, string? ticket)
    {
        var stream = await SseClient.OpenPathAsync(client, ticket is null ? "/api/v1/events/stream" : $"/api/v1/events/stream?ticket={ticket}", withBearer: ticket is null);
        Assert.Equal("connected", (await stream.NextAsync()).Type);
        return stream;
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response, string detail)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(detail, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }
}
