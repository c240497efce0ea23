namespace OrbitGrains.Hosting;

/// <summary>
/// <c>&lt;product&gt; probe [path ...] [--url base]</c>: asks this node's own health routes over loopback and exits 0 when
/// every one answers 2xx, 1 otherwise, with one line per path. The runtime container image carries no curl, so the
/// product is its own health-check command (the Dockerfile's HEALTHCHECK). Paths default to <c>/healthz</c> and
/// <c>/readyz</c>: alive and in the cluster.
/// </summary>
public static class HealthProbe
{
    public const string Verb = "probe";
    public const int Healthy = 0;
    public const int Unhealthy = 1;

    /// <summary>Docker's default HEALTHCHECK timeout is 30 s; a probe that waits that long tells nothing a shorter one would not.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public static bool IsProbe(string[] args) => args.Length > 0 && args[0] == Verb;

    /// <param name="args">The command line, starting with <see cref="Verb"/>.</param>
    /// <param name="defaultBase">Where this node listens when <c>--url</c> is not given, e.g. http://127.0.0.1:8080.</param>
    public static async Task<int> RunAsync(string[] args, string defaultBase, TextWriter output)
    {
        var baseAddress = defaultBase;
        var paths = new List<string>();
        for (var i = 1; i < args.Length; i++)
        {
            if (args[i] == "--url" && i + 1 < args.Length)
            {
                baseAddress = args[++i];
            }
            else
            {
                paths.Add(args[i].StartsWith('/') ? args[i] : "/" + args[i]);
            }
        }

        if (paths.Count == 0)
        {
            paths.AddRange(["/healthz", "/readyz"]);
        }

        if (!Uri.TryCreate(baseAddress, UriKind.Absolute, out var baseUri) || baseUri.Scheme is not ("http" or "https"))
        {
            await output.WriteLineAsync($"probe: '{baseAddress}' is not an http(s) URL.");
            return Unhealthy;
        }

        using var http = new HttpClient { BaseAddress = baseUri, Timeout = Timeout };
        var healthy = true;
        foreach (var path in paths)
        {
            try
            {
                using var response = await http.GetAsync(path);
                await output.WriteLineAsync($"{path}: {(int)response.StatusCode}");
                healthy &= response.IsSuccessStatusCode;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                await output.WriteLineAsync($"{path}: unreachable ({ex.Message})");
                healthy = false;
            }
        }

        return healthy ? Healthy : Unhealthy;
    }

    /// <summary>The loopback base URL of a node listening on <paramref name="configuredPort"/> (PORT, HEALTH_PORT), else on its default.</summary>
    public static string LoopbackBase(string? configuredPort, int defaultPort) =>
        $"http://127.0.0.1:{(int.TryParse(configuredPort, out var port) && port is > 0 and < 65536 ? port : defaultPort)}";
}
