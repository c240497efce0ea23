using Microsoft.Playwright;

namespace OrbitGrains.Tests.Infrastructure;

/// <summary>
/// Debian's Chromium driven by Playwright for .NET (its own browser download is not reachable; the package's Node.js
/// driver is), headless, with the flags that keep it off the network. One browser per fixture; every test takes a
/// fresh context (its own storage) with a 1280x800 viewport.
/// </summary>
public sealed class Chromium : IAsyncDisposable
{
    public const string DebianPath = "/usr/bin/chromium";
    public const int Width = 1280;
    public const int Height = 800;

    private static readonly string[] Flags =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-default-browser-check",
    ];

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IPage, System.Collections.Concurrent.ConcurrentQueue<string>> Problems = new();

    private readonly IPlaywright _playwright;

    private Chromium(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        Browser = browser;
    }

    public IBrowser Browser { get; }

    public static async Task<Chromium> StartAsync()
    {
        // Not a skip: CI installs the package (.ci/run), so a missing browser is a broken machine, not an excuse.
        var executable = Find() ?? throw new InvalidOperationException(
            $"Chromium was not found on PATH nor at {DebianPath}. The browser tests drive Debian's Chromium: apt-get install chromium.");
        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = executable,
                Headless = true,
                Args = Flags,
                Timeout = 60_000,
            });
            return new Chromium(playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>A new isolated context (cookies, storage) at 1280x800 whose relative URLs resolve against <paramref name="baseUrl"/>.</summary>
    public async Task<IPage> NewPageAsync(Uri baseUrl)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseUrl.ToString(),
            ViewportSize = new ViewportSize { Width = Width, Height = Height },
            ServiceWorkers = ServiceWorkerPolicy.Block,
        });
        // Loaded machines are slow; a person would wait this long too before giving up on a page.
        context.SetDefaultTimeout(30_000);
        var page = await context.NewPageAsync();
        var problems = Problems.GetOrCreateValue(page);
        // Refused API calls log "Failed to load resource" and are the pages' business; these two never are.
        page.PageError += (_, error) => problems.Enqueue($"uncaught: {error}");
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && message.Text.Contains("Content Security Policy", StringComparison.Ordinal))
            {
                problems.Enqueue($"CSP: {message.Text}");
            }
        };
        return page;
    }

    /// <summary>Uncaught script errors and Content Security Policy refusals the page has had so far.</summary>
    public static IReadOnlyCollection<string> ProblemsOf(IPage page) =>
        Problems.TryGetValue(page, out var problems) ? problems.ToArray() : [];

    public async ValueTask DisposeAsync()
    {
        await Browser.CloseAsync();
        _playwright.Dispose();
    }

    private static string? Find()
    {
        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(folder, "chromium");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return File.Exists(DebianPath) ? DebianPath : null;
    }
}
