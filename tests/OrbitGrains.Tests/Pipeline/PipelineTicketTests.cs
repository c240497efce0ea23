using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace OrbitGrains.Tests.Pipeline;

/// <summary>
/// Stream tickets: what a browser's EventSource presents as ?ticket= instead of Authorization. Each works once,
/// for its own stream, within 60 s, and nowhere as a bearer.
/// </summary>
public sealed class PipelineTicketTests : IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    private readonly TestClock _clock = new();
    private RunningHost _host = null!;

    private HttpClient Http => _host.Http;

    public async Task InitializeAsync()
    {
        var configuration = PipelineHost.Configuration(_data.Path, "pipeline-tickets");
        _host = await RunningHost.StartFrontEndAsync(configuration, configure: builder => builder.Services.AddSingleton<TimeProvider>(_clock));
        _host.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", PipelineHost.AdminToken);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task A_ticket_opens_its_jobs_stream_once_without_a_bearer()
    {
        var id = (await Http.CreateJobAsync("ticket-once")).GetProperty("id").GetString()!;
        var response = await Http.PostAsync($"/api/v1/jobs/{id}/events/ticket", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var ticket = body.GetProperty("ticket").GetString()!;
        Assert.Equal(60, body.GetProperty("expires_in").GetInt32());
        Assert.Equal($"/api/v1/jobs/{id}/events/stream?ticket={ticket}", body.GetProperty("stream_url").GetString());

        await using (var sse = await SseClient.OpenPathAsync(Http, body.GetProperty("stream_url").GetString()!, withBearer: false))
        {
            var connected = await sse.NextAsync();
            Assert.Equal("connected", connected.Type);
            Assert.Equal("job_created", (await sse.NextAsync()).Type);
        }

        var again = await SseClient.RequestAsync(Http, $"/api/v1/jobs/{id}/events/stream?ticket={ticket}", withBearer: false);
        await AssertRefusedAsync(again, "Stream ticket is unknown or already used.");
        await Http.PostForDetailAsync($"/api/v1/jobs/{id}/cancel");
    }

    [Fact]
    public async Task A_ticket_is_refused_for_another_jobs_stream_and_for_the_all_jobs_stream_and_stays_good_for_its_own()
    {
        var mine = (await Http.CreateJobAsync("ticket-mine")).GetProperty("id").GetString()!;
        var other = (await Http.CreateJobAsync("ticket-other")).GetProperty("id").GetString()!;
        var ticket = await Http.TicketAsync($"/api/v1/jobs/{mine}/events/ticket");

        await AssertRefusedAsync(await SseClient.RequestAsync(Http, $"/api/v1/jobs/{other}/events/stream?ticket={ticket}", withBearer: false),
            "Stream ticket is for another stream.");
        await AssertRefusedAsync(await SseClient.RequestAsync(Http, $"/api/v1/events/stream?ticket={ticket}", withBearer: false),
            "Stream ticket is for another stream.");

        await using var sse = await SseClient.OpenPathAsync(Http, $"/api/v1/jobs/{mine}/events/stream?ticket={ticket}", withBearer: false);
        Assert.Equal("connected", (await sse.NextAsync()).Type);

        // The all-jobs stream has tickets of its own, which no job's stream takes.
        var allTicket = await Http.TicketAsync("/api/v1/events/ticket");
        await AssertRefusedAsync(await SseClient.RequestAsync(Http, $"/api/v1/jobs/{mine}/events/stream?ticket={allTicket}", withBearer: false),
            "Stream ticket is for another stream.");
        await using var all = await SseClient.OpenPathAsync(Http, $"/api/v1/events/stream?ticket={allTicket}", withBearer: false);
        Assert.Equal("connected", (await all.NextAsync()).Type);
        await Http.PostForDetailAsync($"/api/v1/jobs/{mine}/cancel");
        await Http.PostForDetailAsync($"/api/v1/jobs/{other}/cancel");
    }

    [Fact]
    public async Task A_ticket_is_refused_after_60_seconds()
    {
        var id = (await Http.CreateJobAsync("ticket-expiry")).GetProperty("id").GetString()!;
        var early = await Http.TicketAsync($"/api/v1/jobs/{id}/events/ticket");
        var late = await Http.TicketAsync($"/api/v1/jobs/{id}/events/ticket");

        _clock.Advance(TimeSpan.FromSeconds(59));
        await using (var sse = await SseClient.OpenPathAsync(Http, $"/api/v1/jobs/{id}/events/stream?ticket={early}", withBearer: false))
        {
            Assert.Equal("connected", (await sse.NextAsync()).Type);
        }

        _clock.Advance(TimeSpan.FromSeconds(2));
        await AssertRefusedAsync(await SseClient.RequestAsync(Http, $"/api/v1/jobs/{id}/events/stream?ticket={late}", withBearer: false),
            "Stream ticket has expired.");
        await Http.PostForDetailAsync($"/api/v1/jobs/{id}/cancel");
    }

    [Fact]
    public async Task A_ticket_is_no_bearer_and_is_read_only_by_the_stream_routes()
    {
        var id = (await Http.CreateJobAsync("ticket-bearer")).GetProperty("id").GetString()!;
        var ticket = await Http.TicketAsync($"/api/v1/jobs/{id}/events/ticket");

        foreach (var (method, path) in new[]
        {
            (HttpMethod.Get, $"/api/v1/jobs/{id}/events/stream"), (HttpMethod.Get, $"/api/v1/jobs/{id}"), (HttpMethod.Get, "/api/v1/jobs"),
            (HttpMethod.Post, $"/api/v1/jobs/{id}/events/ticket"), (HttpMethod.Post, $"/api/v1/jobs/{id}/cancel"),
        })
        {
            using var request = new HttpRequestMessage(method, path);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ticket);
            var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("Invalid authentication token", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        }

        // As a query parameter anywhere else it is simply not a credential.
        using var anonymous = new HttpClient { BaseAddress = _host.BaseAddress };
        foreach (var (method, path) in new[] { (HttpMethod.Get, $"/api/v1/jobs/{id}"), (HttpMethod.Post, $"/api/v1/jobs/{id}/events/ticket") })
        {
            var response = await anonymous.SendAsync(new HttpRequestMessage(method, $"{path}?ticket={ticket}"));
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }

        // None of that spent it; nor did the job stay untouched by the refused cancel.
        Assert.NotEqual("canceled", (await Http.GetJobAsync(id)).GetProperty("status").GetString());
        await using var sse = await SseClient.OpenPathAsync(Http, $"/api/v1/jobs/{id}/events/stream?ticket={ticket}", withBearer: false);
        Assert.Equal("connected", (await sse.NextAsync()).Type);
        await Http.PostForDetailAsync($"/api/v1/jobs/{id}/cancel");
    }

    [Fact]
    public async Task One_ticket_raced_by_parallel_streams_opens_exactly_one()
    {
        var id = (await Http.CreateJobAsync("ticket-race")).GetProperty("id").GetString()!;
        var ticket = await Http.TicketAsync($"/api/v1/jobs/{id}/events/ticket");
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            SseClient.RequestAsync(Http, $"/api/v1/jobs/{id}/events/stream?ticket={ticket}", withBearer: false)));
        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(7, responses.Count(r => r.StatusCode == HttpStatusCode.Unauthorized));
        foreach (var response in responses)
        {
            response.Dispose();
        }

        await Http.PostForDetailAsync($"/api/v1/jobs/{id}/cancel");
    }

    [Fact]
    public async Task Bad_ticket_requests_get_a_clear_4xx()
    {
        var id = (await Http.CreateJobAsync("ticket-bad")).GetProperty("id").GetString()!;
        var ticket = await Http.TicketAsync($"/api/v1/jobs/{id}/events/ticket");
        foreach (var query in new[] { "ticket=", "ticket=nonsense", $"ticket={ticket}x", $"ticket={ticket}&ticket={ticket}", $"ticket={new string('a', 5000)}" })
        {
            var response = await SseClient.RequestAsync(Http, $"/api/v1/jobs/{id}/events/stream?{query}", withBearer: false);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("Bearer", response.Headers.WwwAuthenticate.ToString());
        }

        using var anonymous = new HttpClient { BaseAddress = _host.BaseAddress };
        Assert.Equal(HttpStatusCode.Forbidden, (await anonymous.PostAsync($"/api/v1/jobs/{id}/events/ticket", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await anonymous.GetAsync($"/api/v1/jobs/{id}/events/stream")).StatusCode);
        var missing = await Http.PostAsync("/api/v1/jobs/job_missing/events/ticket", null);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("Job job_missing not found", (await missing.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await Http.PostAsync("/api/v1/jobs/bad%20id/events/ticket", null)).StatusCode);

        // The malformed attempts spent nothing.
        await using var sse = await SseClient.OpenPathAsync(Http, $"/api/v1/jobs/{id}/events/stream?ticket={ticket}", withBearer: false);
        Assert.Equal("connected", (await sse.NextAsync()).Type);
        await Http.PostForDetailAsync($"/api/v1/jobs/{id}/cancel");
    }

    [Fact]
    public async Task A_ticket_asked_for_with_an_operators_user_token_is_refused_once_that_token_is_replaced()
    {
        var signedUp = await (await Http.PostAsJsonAsync("/v1/auth/signup", new { email = $"op-{Guid.NewGuid():N}"[..16] + "@example.com", password = "operator password" }))
            .Content.ReadFromJsonAsync<JsonElement>();
        var (userId, token) = (signedUp.GetProperty("userId").GetString()!, signedUp.GetProperty("userToken").GetString()!);
        Assert.Equal(HttpStatusCode.OK, (await Http.PutAsJsonAsync($"/api/admin/users/{userId}/roles", new { roles = new[] { "operator" } })).StatusCode);
        using var asOperator = new HttpClient { BaseAddress = Http.BaseAddress };
        asOperator.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var ticket = await asOperator.TicketAsync("/api/v1/events/ticket");

        Assert.Equal(HttpStatusCode.OK, (await asOperator.PostAsync("/v1/user-token/rotate", null)).StatusCode);

        await AssertRefusedAsync(await SseClient.RequestAsync(Http, $"/api/v1/events/stream?ticket={ticket}", withBearer: false),
            "Stream ticket's account is no longer signed in.");
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response, string detail)
    {
        using (response)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal(detail, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        }
    }
}
