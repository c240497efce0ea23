using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;

namespace OrbitGrains.Tests.Operations.Chaos;

/// <summary>
/// What every load of the chaos run shares: the front ends' addresses, one HTTP client per front end that records
/// every 5xx answer, the run's clock (seconds since the load started) and its timeline of node stops and starts.
/// </summary>
public sealed class ChaosContext : IDisposable
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly HttpClient[] _clients;
    private readonly ConcurrentQueue<ServerError> _errors = new();
    private readonly ConcurrentQueue<(double At, string What)> _timeline = new();
    private readonly ConcurrentQueue<(double At, string Node)> _kills = new();

    public ChaosContext(IReadOnlyList<Uri> frontEnds, string adminToken)
    {
        FrontEnds = frontEnds;
        AdminToken = adminToken;
        _clients = frontEnds.Select(address => new HttpClient(new ServerErrorRecorder(this, address), disposeHandler: true)
        {
            BaseAddress = address,
            // Generous: a request to a node that just lost a silo may wait for the cluster to notice.
            Timeout = TimeSpan.FromSeconds(60),
        }).ToArray();
    }

    public IReadOnlyList<Uri> FrontEnds { get; }

    public string AdminToken { get; }

    /// <summary>Seconds since the run began.</summary>
    public double Now => _clock.Elapsed.TotalSeconds;

    public IReadOnlyCollection<ServerError> Errors => _errors;

    public IReadOnlyCollection<(double At, string What)> Timeline => _timeline;

    /// <summary>When a node was killed (SIGKILL): the write-behind of the relay's replay may lose the moments before.</summary>
    public IReadOnlyCollection<(double At, string Node)> Kills => _kills;

    public HttpClient Http(int frontEnd) => _clients[((frontEnd % _clients.Length) + _clients.Length) % _clients.Length];

    public Uri FrontEnd(int frontEnd) => FrontEnds[((frontEnd % FrontEnds.Count) + FrontEnds.Count) % FrontEnds.Count];

    public void Mark(string what) => _timeline.Enqueue((Now, what));

    public void MarkKill(string node)
    {
        _kills.Enqueue((Now, node));
        Mark($"SIGKILL {node}");
    }

    public HttpRequestMessage Admin(HttpMethod method, string path, object? body = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        if (body is not null)
        {
            request.Content = System.Net.Http.Json.JsonContent.Create(body);
        }

        return request;
    }

    /// <summary>
    /// For the checks after the run: sends a request as a well-behaved client does, again after a 503 with Retry-After
    /// (a node's loss not yet settled) or no answer, for up to a minute.
    /// </summary>
    public async Task<HttpResponseMessage> ReadAsync(int frontEnd, Func<HttpRequestMessage> request)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (true)
        {
            try
            {
                var response = await Http(frontEnd).SendAsync(request());
                if (response.StatusCode != HttpStatusCode.ServiceUnavailable || response.Headers.RetryAfter is null || DateTime.UtcNow > deadline)
                {
                    return response;
                }

                response.Dispose();
            }
            catch (Exception ex) when (IsUnanswered(ex) && DateTime.UtcNow < deadline)
            {
                frontEnd++;
            }

            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }

    /// <summary>Failures of a request that got no answer: the node went away under it. Such a request was not acknowledged.</summary>
    public static bool IsUnanswered(Exception ex) => ex is HttpRequestException or TaskCanceledException or IOException;

    public void Dispose()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }
    }

    /// <summary>
    /// One 5xx answer. <see cref="Documented"/>: a 503 with Retry-After, the product's answer while a front end stops
    /// and while the cluster has not yet declared a lost node dead (docs/benchmarks.md, "Chaos").
    /// </summary>
    public sealed record ServerError(double At, string Node, string Method, string Path, int Status, bool Documented, string Body);

    private sealed class ServerErrorRecorder(ChaosContext context, Uri node) : DelegatingHandler(new SocketsHttpHandler
    {
        // A restarted node listens on the same port: do not keep a connection to the old process for long.
        PooledConnectionLifetime = TimeSpan.FromSeconds(5),
        ConnectTimeout = TimeSpan.FromSeconds(5),
    })
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if ((int)response.StatusCode >= 500)
            {
                await response.Content.LoadIntoBufferAsync(cancellationToken);
                var body = await response.Content.ReadAsStringAsync(cancellationToken);
                var documented = response.StatusCode == HttpStatusCode.ServiceUnavailable && response.Headers.RetryAfter is not null;
                context._errors.Enqueue(new ServerError(context.Now, $"{node.Host}:{node.Port}", request.Method.Method,
                    request.RequestUri?.AbsolutePath ?? "", (int)response.StatusCode, documented, body.Length > 300 ? body[..300] : body));
            }

            return response;
        }
    }
}
