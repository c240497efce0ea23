using System.Text.Json.Nodes;

namespace OrbitGrains.Tests.Infrastructure;

/// <summary>A browser tab driven through its own flattened DevTools session.</summary>
public sealed class DevToolsPage : IAsyncDisposable
{
    private static readonly TimeSpan LoadTimeout = TimeSpan.FromSeconds(30);

    private readonly DevToolsConnection _devTools;
    private readonly string _targetId;

    private DevToolsPage(DevToolsConnection devTools, string targetId, string sessionId)
    {
        _devTools = devTools;
        _targetId = targetId;
        SessionId = sessionId;
    }

    public string SessionId { get; }

    public static async Task<DevToolsPage> OpenAsync(DevToolsConnection devTools)
    {
        var targetId = (string)(await devTools.SendAsync("Target.createTarget", new { url = "about:blank" }))["targetId"]!;
        var sessionId = (string)(await devTools.SendAsync("Target.attachToTarget", new { targetId, flatten = true }))["sessionId"]!;
        var page = new DevToolsPage(devTools, targetId, sessionId);
        await page.SendAsync("Page.enable");
        return page;
    }

    public Task<JsonObject> SendAsync(string method, object? parameters = null) => _devTools.SendAsync(method, parameters, SessionId);

    /// <summary>Navigates and returns once the new document has fired its load event.</summary>
    public async Task NavigateAsync(Uri url)
    {
        var loaded = _devTools.ListenFor("Page.loadEventFired", SessionId);
        var result = await SendAsync("Page.navigate", new { url = url.ToString() });
        if ((string?)result["errorText"] is { Length: > 0 } error)
        {
            throw new InvalidOperationException($"Navigating to {url} failed: {error}");
        }

        await loaded(LoadTimeout);
    }

    /// <summary>
    /// Runs a script in the page (a promise is awaited) and returns its value as JSON; an exception thrown in the page
    /// fails the call with the page's own description of it.
    /// </summary>
    public async Task<JsonNode?> EvaluateAsync(string expression)
    {
        var result = await SendAsync("Runtime.evaluate", new { expression, awaitPromise = true, returnByValue = true, userGesture = true });
        if (result["exceptionDetails"] is { } exception)
        {
            var description = (string?)exception["exception"]?["description"] ?? exception.ToJsonString();
            throw new InvalidOperationException($"The page's script failed: {description}");
        }

        return result["result"]?["value"]?.DeepClone();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _devTools.SendAsync("Target.closeTarget", new { targetId = _targetId });
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
        {
            // The browser is going away with it anyway.
        }
    }
}
