using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;

namespace OrbitGrains.Tests.Operations;

/// <summary>A front end stopped the way an orchestrator stops it (SIGTERM), as a real process, with a socket open and a request in flight.</summary>
public sealed class GracefulShutdownTests
{
    private const string AdminToken = "shutdown-test-admin-token-0123456789abcdef";

    [Fact]
    public async Task A_stopping_front_end_tells_sockets_to_go_refuses_new_ones_and_finishes_and_keeps_the_request_in_flight()
    {
        using var data = new TempDirectory("shutdown");
        await using var node = ProductNode.EmbeddedFrontEnd("stopping-front", data.Path, AdminToken, new Dictionary<string, string>
        {
            // Long enough to look at the node while it drains, on a loaded machine too.
            ["SHUTDOWN_DRAIN_SEC"] = "15",
        });
        var port = node.HttpAddress.Port;
        node.Start();
        await node.WaitReadyAsync(TimeSpan.FromMinutes(2));
        using var http = new HttpClient { BaseAddress = node.HttpAddress, Timeout = TimeSpan.FromSeconds(30) };

        await using var open = await LegacyRoom.ConnectAsync(node.HttpAddress, "/ws?token=demo_token_123");
        var session = await new Accounts.AccountsApi(http).RegisterAsync(Accounts.AccountsApi.NewName("stopping"));
        await using var relay = await OrbitSocket.ConnectAsync(node.HttpAddress, $"/ws/client?token={Uri.EscapeDataString(session.Token)}&clientId=tab");
        await relay.NextOfTypeAsync("orbit.hello");

        // A sign-up whose body arrives slowly (fast enough for Kestrel's minimum data rate) until the test lets it end.
        var body = new TrickleContent("""{"email":"in-flight@example.com","password":"correct horse"}""");
        using var slowClient = new HttpClient { BaseAddress = node.HttpAddress, Timeout = TimeSpan.FromMinutes(3) };
        var inFlight = slowClient.PostAsync("/api/auth/signup", body);
        await Eventually.TrueAsync(async () => await ActivePostsAsync(http) >= 1, "the node is serving the sign-up");

        var stopped = node.StopAsync(TimeSpan.FromMinutes(2));

        // At once: the open sockets (a room's, the relay's) are told to go, readiness fails, new sockets and event streams are refused.
        await open.ClosedAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, open.CloseStatus);
        await relay.ClosedAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, relay.CloseStatus);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync("/readyz")).StatusCode);
        var refused = await Assert.ThrowsAsync<WebSocketException>(() => OrbitSocket.ConnectAsync(node.HttpAddress, "/ws?token=demo_token_123"));
        Assert.Contains("503", refused.Message);
        using (var stream = new HttpRequestMessage(HttpMethod.Get, "/api/v1/jobs/stream"))
        {
            stream.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
            using var answer = await http.SendAsync(stream);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.StatusCode);
            Assert.Equal("1", answer.Headers.RetryAfter?.ToString());
        }

        // Plain requests are still served while it drains, each on a connection it then closes.
        using (var plain = await http.GetAsync("/healthz"))
        {
            Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
            Assert.True(plain.Headers.ConnectionClose);
        }

        // Then it stops listening, but the sign-up in flight is still served to the end.
        await Eventually.TrueAsync(async () => !await AcceptsConnectionsAsync(port), "the node no longer listens", TimeSpan.FromSeconds(60));
        Assert.False(inFlight.IsCompleted);
        body.Finish();
        using var response = await inFlight;
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(0, await stopped);
        Assert.False(body.Overflowed);

        // Acknowledged, so kept: the next start knows the account.
        node.Start();
        await node.WaitReadyAsync(TimeSpan.FromMinutes(2));
        using var login = await http.PostAsJsonAsync("/api/auth/login", new { email = "in-flight@example.com", password = "correct horse" });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
    }

    private static async Task<double> ActivePostsAsync(HttpClient http)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        using var response = await http.SendAsync(request);
        return new PrometheusText(await response.Content.ReadAsStringAsync()).Sum("http_server_active_requests", "http_request_method=\"POST\"");
    }

    private static async Task<bool> AcceptsConnectionsAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>
    /// A chunked body: leading JSON whitespace, 100 bytes every 100 ms (Kestrel aborts a body slower than 240 bytes/s),
    /// then the document once <see cref="Finish"/> is called.
    /// </summary>
    private sealed class TrickleContent(string json) : HttpContent
    {
        private const int MaxPadding = 48 * 1024;
        private readonly TaskCompletionSource _finish = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>True if the padding reached the body limit's neighbourhood before the test finished it.</summary>
        public bool Overflowed { get; private set; }

        public void Finish() => _finish.TrySetResult();

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var padding = Encoding.ASCII.GetBytes(new string(' ', 100));
            var sent = 0;
            while (!_finish.Task.IsCompleted)
            {
                if (sent >= MaxPadding)
                {
                    Overflowed = true;
                    break;
                }

                await stream.WriteAsync(padding);
                await stream.FlushAsync();
                sent += padding.Length;
                // Paces the trickle; the test's waits are on events, not on this.
                await Task.WhenAny(_finish.Task, Task.Delay(100));
            }

            await stream.WriteAsync(Encoding.UTF8.GetBytes(json));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
