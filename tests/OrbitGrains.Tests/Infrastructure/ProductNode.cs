using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace OrbitGrains.Tests.Infrastructure;

/// <summary>
/// One node of the product (front end or headless silo) as a real process on loopback: started, stopped the way an
/// orchestrator stops it (SIGTERM, then wait), killed the way a machine dies (SIGKILL), started again with the same
/// settings. Its output is kept for the failure message.
/// </summary>
public sealed class ProductNode : IAsyncDisposable
{
    private const int SigTerm = 15;
    private readonly ConcurrentQueue<string> _log = new();
    private Process? _process;

    public ProductNode(string name, string dll, IDictionary<string, string> environment, Uri httpAddress)
    {
        Name = name;
        Dll = dll;
        Environment = new Dictionary<string, string>(environment);
        HttpAddress = httpAddress;
    }

    /// <summary>
    /// A front end alone in embedded mode, in Development (the legacy room's demo token works), with a free HTTP port,
    /// the given admin token and its own folder; <paramref name="extra"/> adds or overrides settings. Not started.
    /// </summary>
    public static ProductNode EmbeddedFrontEnd(string name, string dataPath, string adminToken, IDictionary<string, string>? extra = null)
    {
        var port = FreePorts.Next();
        var environment = new Dictionary<string, string>
        {
            ["DATA_DIR"] = dataPath,
            ["PORT"] = port.ToString(),
            ["ORLEANS_SILO_PORT"] = FreePorts.Next().ToString(),
            ["ORLEANS_GATEWAY_PORT"] = FreePorts.Next().ToString(),
            ["ADMIN_TOKEN"] = adminToken,
            ["CODEX_REMOTE_WEB_JWT_SECRET"] = "embedded-node-jwt-secret-0123456789abcdefghij",
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["DOTNET_TC_DelaySingleProcMultiplier"] = "1",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        return new ProductNode(name, ProductProcess.Assembly("OrbitGrains.WebFrontend"), environment, new Uri($"http://127.0.0.1:{port}"));
    }

    public string Name { get; }
    public string Dll { get; }
    public Dictionary<string, string> Environment { get; }

    /// <summary>Where /healthz, /readyz and /metrics answer: the front end's port, or the headless silo's health port.</summary>
    public Uri HttpAddress { get; }

    public bool IsRunning => _process is { HasExited: false };

    public int? ProcessId => _process?.Id;

    public string Log => string.Join('\n', _log);

    public void Start()
    {
        if (IsRunning)
        {
            throw new InvalidOperationException($"{Name} is already running.");
        }

        _process?.Dispose();
        var process = new Process { StartInfo = ProductProcess.StartInfo(Dll, Environment), EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        Keep($"--- {Name} started (pid {process.Id})");
    }

    /// <summary>Polls /readyz until it answers 200, failing at once if the process exits.</summary>
    public async Task WaitReadyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { BaseAddress = HttpAddress, Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.TrueAsync(async () =>
        {
            if (!IsRunning)
            {
                throw new InvalidOperationException($"{Name} exited with {_process?.ExitCode} before it was ready:\n{Tail()}");
            }

            try
            {
                using var response = await http.GetAsync("/readyz");
                return response.IsSuccessStatusCode;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or System.Net.Sockets.SocketException)
            {
                // A SocketException escapes HttpClient when a connection is reset as it is made (seen once in CI while a
                // node started); the product's port check (PortProbe) listening on the port for a moment is one way.
                return false;
            }
        }, $"{Name} is ready\n{Tail()}", timeout);
    }

    /// <summary>SIGTERM, as Kubernetes and systemd stop a process; waits for it to exit and returns its exit code.</summary>
    public async Task<int> StopAsync(TimeSpan timeout)
    {
        var process = _process ?? throw new InvalidOperationException($"{Name} was never started.");
        if (process.HasExited)
        {
            return process.ExitCode;
        }

        if (SendSignal(process.Id, SigTerm) != 0)
        {
            throw new InvalidOperationException($"SIGTERM to {Name} failed: {Marshal.GetLastPInvokeError()}");
        }

        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Name} did not stop within {timeout} of SIGTERM:\n{Tail()}");
        }

        Keep($"--- {Name} exited {process.ExitCode} after SIGTERM");
        return process.ExitCode;
    }

    /// <summary>SIGKILL: no shutdown code runs, sockets are cut, the silo leaves no goodbye in the membership table.</summary>
    public async Task KillAsync()
    {
        var process = _process ?? throw new InvalidOperationException($"{Name} was never started.");
        if (process.HasExited)
        {
            return;
        }

        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        Keep($"--- {Name} killed (SIGKILL)");
    }

    /// <summary>The last lines of output, for failure messages.</summary>
    public string Tail(int lines = 40) => string.Join('\n', _log.TakeLast(lines));

    public async ValueTask DisposeAsync()
    {
        if (IsRunning)
        {
            try
            {
                await StopAsync(TimeSpan.FromSeconds(30));
            }
            catch (TimeoutException)
            {
                // Killed by StopAsync already.
            }
        }

        _process?.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _log.Enqueue(line);
        // Bounded: a node under load for minutes must not grow the test's memory.
        while (_log.Count > 5000 && _log.TryDequeue(out _))
        {
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);
}
