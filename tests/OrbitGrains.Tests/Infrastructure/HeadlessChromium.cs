using System.Diagnostics;
using System.Text.RegularExpressions;

namespace OrbitGrains.Tests.Infrastructure;

/// <summary>
/// Debian's Chromium, headless, on a private profile in a temporary folder, with the DevTools protocol on a port it
/// picks itself. Disposing kills the whole process tree and removes the profile.
/// </summary>
public sealed partial class HeadlessChromium : IAsyncDisposable
{
    private const string DebianPath = "/usr/bin/chromium";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly TempDirectory _profile;

    private HeadlessChromium(Process process, TempDirectory profile, DevToolsConnection devTools)
    {
        _process = process;
        _profile = profile;
        DevTools = devTools;
    }

    public DevToolsConnection DevTools { get; }

    public static async Task<HeadlessChromium> StartAsync()
    {
        // Not a skip: CI installs the package (.ci/run), so a missing browser is a broken machine, not an excuse.
        var executable = Find() ?? throw new InvalidOperationException(
            $"Chromium was not found on PATH nor at {DebianPath}. The browser tests drive Debian's Chromium: apt-get install chromium.");

        var profile = new TempDirectory("orbit-chromium");
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])
                 ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
                  "--remote-debugging-port=0", $"--user-data-dir={profile.Path}", "about:blank"])
        {
            start.ArgumentList.Add(argument);
        }

        var endpoint = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var stderr = new List<string>();
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (stderr)
            {
                stderr.Add(e.Data);
            }

            if (ListeningLine().Match(e.Data) is { Success: true } match)
            {
                endpoint.TrySetResult(new Uri(match.Groups[1].Value));
            }
        };
        // Drained only so a chatty browser never blocks on a full pipe.
        process.OutputDataReceived += (_, _) => { };
        process.Exited += (_, _) => endpoint.TrySetException(new InvalidOperationException("Chromium exited before DevTools was listening."));

        try
        {
            process.Start();
            process.BeginErrorReadLine();
            process.BeginOutputReadLine();
            var url = await endpoint.Task.WaitAsync(StartTimeout);
            var devTools = await DevToolsConnection.ConnectAsync(url);
            return new HeadlessChromium(process, profile, devTools);
        }
        catch (Exception ex)
        {
            Kill(process);
            process.Dispose();
            profile.Dispose();
            string output;
            lock (stderr)
            {
                output = string.Join('\n', stderr.TakeLast(20));
            }

            throw new InvalidOperationException($"Could not start {executable} with DevTools: {ex.Message}\n{output}", ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await DevTools.DisposeAsync();
        Kill(_process);
        using (var exit = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            try
            {
                await _process.WaitForExitAsync(exit.Token);
            }
            catch (OperationCanceledException)
            {
                // A zombie the OS reaps later; the profile folder is removed as far as it can be.
            }
        }

        _process.Dispose();
        _profile.Dispose();
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

    private static void Kill(Process process)
    {
        try
        {
            // Debian's launcher is a script and Chromium forks renderers and helpers: take the whole tree.
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    [GeneratedRegex(@"DevTools listening on (ws://\S+)")]
    private static partial Regex ListeningLine();
}
