using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace OrbitGrains.Tests.Pipeline;

/// <summary>Event streams have their own rate limit: a console that polls the API does not get its stream reconnects refused.</summary>
public sealed class PipelineStreamLimitTests
{
    [Fact]
    public async Task Polling_at_one_request_a_second_while_a_stream_reconnects_every_5_s_never_refuses_the_stream()
    {
        using var data = new TempDirectory();
        var configuration = PipelineHost.Configuration(data.Path, "stream-limit");
        // The API budget is exactly what the polling spends (60 a minute, no burst to spare); streams keep their defaults.
        configuration["Operator:security:rate_limiting:requests_per_minute"] = "60";
        configuration["Operator:security:rate_limiting:burst_size"] = "1";
        configuration.Remove("Operator:security:rate_limiting:stream_requests_per_minute");
        configuration.Remove("Operator:security:rate_limiting:stream_burst_size");
        await using var host = await PipelineHost.StartAsync(configuration);
        var http = host.Http;
        var id = (await http.CreateJobAsync("polled")).GetProperty("id").GetString()!;

        using var stop = new CancellationTokenSource();
        var polls = new List<HttpStatusCode>();
        var polling = Task.Run(async () =>
        {
            using var ticker = new PeriodicTimer(TimeSpan.FromSeconds(1));
            do
            {
                var response = await http.GetAsync($"/api/v1/jobs/{id}", CancellationToken.None);
                lock (polls)
                {
                    polls.Add(response.StatusCode);
                }
            }
            while (await ticker.WaitForNextTickAsync(stop.Token).AsTask().ContinueWith(t => t.IsCompletedSuccessfully && t.Result));
        });

        // Every 5 s a browser's reconnect (a fresh ticket, then the stream with it) and a bearer client's plain one.
        var opened = new List<HttpStatusCode>();
        using var reconnects = new PeriodicTimer(TimeSpan.FromSeconds(5));
        for (var round = 0; round < 4; round++)
        {
            if (round > 0)
            {
                await reconnects.WaitForNextTickAsync();
            }

            var ticket = await http.PostAsync($"/api/v1/jobs/{id}/events/ticket", null);
            opened.Add(ticket.StatusCode);
            if (ticket.StatusCode == HttpStatusCode.OK)
            {
                var url = (await ticket.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("stream_url").GetString()!;
                opened.Add(await OpenAndCloseAsync(http, url, withBearer: false));
            }

            opened.Add(await OpenAndCloseAsync(http, $"/api/v1/jobs/{id}/events/stream", withBearer: true));
        }

        await stop.CancelAsync();
        await polling;
        Assert.All(opened, status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.Equal(12, opened.Count);

        // The polling ran alongside all along.
        lock (polls)
        {
            Assert.True(polls.Count >= 10, $"{polls.Count} polls");
            Assert.Contains(HttpStatusCode.OK, polls);
        }
    }

    private static async Task<HttpStatusCode> OpenAndCloseAsync(HttpClient http, string path, bool withBearer)
    {
        using var response = await SseClient.RequestAsync(http, path, withBearer: withBearer);
        return response.StatusCode;
    }
}
