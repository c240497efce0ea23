using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OrbitGrains.Tests.Hosting;

/// <summary>
/// One real front end with every family switched on (rooms tokens, admin token, control-plane token, generous
/// limits), whose log is captured so a test can assert that nothing reached the last line.
/// </summary>
public class InputHostFixture : IAsyncLifetime
{
    public const string AdminToken = "input-admin-token-0123456789abcdefghijklmnop";
    public const string RoomsToken = "input-rooms-token-0123456789abcdefghijklmnop";
    public const string ControlPlaneToken = "input-control-plane-token-0123456789abcdefgh";
    public const string JwtSecret = "input-jwt-secret-0123456789abcdefghijklmnopq";

    private readonly TempDirectory _data = new("orbit-input");

    public RunningHost Host { get; private set; } = null!;

    public CapturedLog Log { get; } = new();

    public async Task InitializeAsync()
    {
        var configuration = RunningHost.IsolatedConfiguration(_data.Path, "input");
        configuration["ADMIN_TOKEN"] = AdminToken;
        configuration["AUTH_TOKENS"] = RoomsToken;
        configuration["CONTROL_PLANE_TOKEN"] = ControlPlaneToken;
        configuration["CODEX_REMOTE_WEB_JWT_SECRET"] = JwtSecret;
        configuration["LOGIN_MAX_FAILURES"] = "100000";
        configuration["LOGIN_MAX_FAILURES_PER_ADDRESS"] = "100000";
        configuration["RELAY_MESSAGES_PER_SECOND"] = "100000";
        configuration["ROOM_MESSAGES_PER_SECOND"] = "100000";
        configuration["ROOM_CONNECTS_PER_SECOND_PER_ADDRESS"] = "100000";
        configuration["ROOM_MESSAGES_PER_SECOND_PER_ADDRESS"] = "100000";
        configuration["ROOM_MESSAGES_PER_SECOND_PER_TOKEN"] = "100000";
        configuration["Operator:security:rate_limiting:requests_per_minute"] = "1000000";
        configuration["Operator:security:rate_limiting:burst_size"] = "1000000";
        configuration["Operator:security:rate_limiting:jobs_per_minute"] = "1000000";
        configuration["Operator:pipeline:max_concurrent_jobs"] = "100000";
        Host = await RunningHost.StartFrontEndAsync(
            configuration,
            configure: builder => builder.Services.AddSingleton<IStartupFilter>(new CapturingStartup(Log)),
            mapEndpoints: CapturingStartup.MapFailingEndpoints);
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        _data.Dispose();
    }

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? body, string? bearer = null, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        return await Host.Http.SendAsync(request);
    }
}

[CollectionDefinition(Name)]
public sealed class InputHostCollection : ICollectionFixture<InputHostFixture>
{
    public const string Name = "Input host";
}

/// <summary>
/// Adds the captured log to the host's logger factory once it is built (the product sets its own providers first),
/// and, behind every product route, two test-only paths whose handlers fail: what the last line is for.
/// </summary>
public sealed class CapturingStartup(CapturedLog log) : IStartupFilter
{
    // Real endpoints (anonymous, so the fallback policy lets them through) with a file extension, which the web
    // client's page fallback leaves alone: their failures travel the product's whole pipeline to the last line.
    public const string ThrowPath = "/__test/throw.fail";
    public const string TooLargePath = "/__test/too-large.fail";

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.ApplicationServices.GetRequiredService<ILoggerFactory>().AddProvider(log);
        next(app);
    };

    public static void MapFailingEndpoints(WebApplication app)
    {
        app.MapGet(ThrowPath, (HttpContext _) => throw new InvalidOperationException("a handler failed")).AllowAnonymous().ExcludeFromDescription();
        app.MapGet(TooLargePath, (HttpContext _) => throw new Microsoft.AspNetCore.Http.BadHttpRequestException("Request body too large.", 413)).AllowAnonymous().ExcludeFromDescription();
    }
}

/// <summary>Every log entry of a host, kept in memory for assertions (messages and exceptions, never request bodies).</summary>
public sealed class CapturedLog : ILoggerProvider
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<Entry> _entries = new();

    public sealed record Entry(string Category, LogLevel Level, string Message, Exception? Exception);

    public IReadOnlyList<Entry> Entries => _entries.ToArray();

    /// <summary>Entries at Error or above: what the last line and socket handlers log when something escaped them.</summary>
    public IReadOnlyList<Entry> Errors => _entries.Where(e => e.Level >= LogLevel.Error).ToArray();

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, this);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, CapturedLog log) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                log._entries.Enqueue(new Entry(category, logLevel, formatter(state, exception), exception));
            }
        }
    }
}
