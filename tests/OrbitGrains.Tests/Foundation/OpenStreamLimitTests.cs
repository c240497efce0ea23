using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OrbitGrains.Hosting;
using OrbitGrains.Tests.Cloud;
using OrbitGrains.Tests.Pipeline;
using OrbitGrains.WebFrontend.Hosting.Access;

namespace OrbitGrains.Tests.Foundation;

/// <summary>
/// MAX_OPEN_STREAMS_PER_USER (<c>AccessLeases</c>): one person's event streams and instance proxies open at once on a
/// front end are capped; past it a stream is 429 with Retry-After and a proxy closes 1013, other people are unaffected,
/// and a closed one frees its place.
/// </summary>
public sealed class OpenStreamLimitTests : IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    private TestGateway _gateway = null!;
    private RunningHost _host = null!;
    private CloudApi _api = null!;
    private readonly FailingCalls _faults = new();

    public async Task InitializeAsync()
    {
        _gateway = await TestGateway.StartAsync();
        var configuration = CloudHost.Configuration(_data.Path, $"stream-limit-{Guid.NewGuid():N}", null);
        configuration["LOCAL_DEV_MODE"] = "true";
        configuration["LOCAL_VNC_ADDRESS"] = "127.0.0.1:1";
        configuration["LOCAL_GATEWAY_URL"] = _gateway.Url;
        configuration["MAX_OPEN_STREAMS_PER_USER"] = "2";
        _host = await RunningHost.StartFrontEndAsync(configuration,
            configure: builder => builder.Services.AddSingleton<IOutgoingGrainCallFilter>(_faults));
        _api = new CloudApi(_host.Http);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _gateway.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task A_person_past_the_cap_gets_429_for_a_stream_and_1013_for_a_proxy_until_one_closes()
    {
        var alice = await _api.SignUpAsync();
        var id = (string)(await _api.CreateAsync(alice))["id"]!;
        await Eventually.TrueAsync(async () => await _api.StatusAsync(alice, id) == "running", "the simulated instance runs");

        var first = await OpenStreamAsync(alice);
        await using var second = await OpenStreamAsync(alice);

        using (var refused = await SseClient.RequestAsync(Client(alice), "/v1/stream"))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.Equal("5", refused.Headers.RetryAfter?.ToString());
            Assert.Contains(AccessLeases.TooMany, await refused.Content.ReadAsStringAsync());
        }

        using (var proxy = new ClientWebSocket())
        {
            await proxy.ConnectAsync(Ws($"/api/instances/{id}/cloudbot?token={alice}"), Timeout());
            Assert.Equal((WebSocketCloseStatus)1013, await CloseOfAsync(proxy));
        }

        // Another person is not held back by Alice's streams.
        await using (await OpenStreamAsync(await _api.SignUpAsync()))
        {
        }

        // Once one of Alice's streams is gone (the front end notices the client left), her proxy opens.
        await first.DisposeAsync();
        await Eventually.TrueAsync(async () =>
        {
            using var attempt = new ClientWebSocket();
            await attempt.ConnectAsync(Ws($"/api/instances/{id}/cloudbot?token={alice}"), Timeout());
            var frame = await ReceiveAsync(attempt);
            if (frame is null)
            {
                return false;
            }

            await attempt.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", Timeout());
            return true;
        }, "a proxy opens after a stream closed");
    }

    [Fact]
    public async Task A_proxy_whose_instance_cannot_be_told_closes_1011_and_gives_its_place_back()
    {
        var alice = await _api.SignUpAsync();
        var id = (string)(await _api.CreateAsync(alice))["id"]!;
        await Eventually.TrueAsync(async () => await _api.StatusAsync(alice, id) == "running", "the simulated instance runs");

        // Past the cap of 2 if the places were kept: each proxy fails after its place was taken.
        _faults.Fail(nameof(OrbitGrains.Cloud.IInstanceGrain.ProxyConnections), times: 3);
        for (var i = 0; i < 3; i++)
        {
            using var proxy = new ClientWebSocket();
            await proxy.ConnectAsync(Ws($"/api/instances/{id}/cloudbot?token={alice}"), Timeout());
            WebSocketCloseStatus? status;
            try
            {
                status = await CloseOfAsync(proxy);
            }
            catch (WebSocketException)
            {
                // The connection was dropped without a close.
                status = null;
            }

            Assert.Equal(WebSocketCloseStatus.InternalServerError, status);
        }

        await using var stream = await OpenStreamAsync(alice);
        await using var another = await OpenStreamAsync(alice);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("100001")]
    [InlineData("many")]
    public void An_out_of_range_cap_is_refused_at_start(string value)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new("MAX_OPEN_STREAMS_PER_USER", value)]).Build();
        var error = Assert.Throws<OrbitConfigurationException>(() => AccessLeases.FromConfiguration(configuration));
        Assert.Contains("MAX_OPEN_STREAMS_PER_USER", error.Message);
    }

    private async Task<SseClient> OpenStreamAsync(string bearer)
    {
        var stream = await SseClient.OpenPathAsync(Client(bearer), "/v1/stream");
        Assert.Equal("connected", (await stream.NextAsync()).Type);
        return stream;
    }

    private HttpClient Client(string bearer)
    {
        var client = new HttpClient { BaseAddress = _host.BaseAddress, Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return client;
    }

    /// <summary>The next text message, or null when the proxy closed instead.</summary>
    private static async Task<string?> ReceiveAsync(ClientWebSocket socket)
    {
        var buffer = new byte[64 * 1024];
        var result = await socket.ReceiveAsync(buffer, Timeout());
        return result.MessageType == WebSocketMessageType.Close ? null : Encoding.UTF8.GetString(buffer, 0, result.Count);
    }

    private static async Task<WebSocketCloseStatus?> CloseOfAsync(ClientWebSocket socket)
    {
        while (await ReceiveAsync(socket) is not null)
        {
        }

        return socket.CloseStatus;
    }

    private Uri Ws(string path) => new(new Uri(_host.BaseAddress.ToString().Replace("http", "ws")), path);

    private static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;
}

/// <summary>Makes the next calls to one grain method fail as an unreachable grain would (a timeout).</summary>
public sealed class FailingCalls : IOutgoingGrainCallFilter
{
    private string? _method;
    private int _left;

    public void Fail(string method, int times)
    {
        Volatile.Write(ref _method, method);
        Volatile.Write(ref _left, times);
    }

    public Task Invoke(IOutgoingGrainCallContext context)
    {
        if (context.InterfaceMethod?.Name == Volatile.Read(ref _method) && Interlocked.Decrement(ref _left) >= 0)
        {
            throw new TimeoutException("Injected: the grain did not answer.");
        }

        return context.Invoke();
    }
}
