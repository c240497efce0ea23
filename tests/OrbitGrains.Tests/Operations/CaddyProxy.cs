using System.Diagnostics;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace OrbitGrains.Tests.Operations;

/// <summary>
/// deploy/compose's Caddyfile, run by Debian's Caddy on loopback in front of given upstreams, with its own storage
/// (its development CA) in a temporary folder. Clients trust exactly that CA, as a browser would once told to.
/// </summary>
public sealed class CaddyProxy : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TempDirectory _storage;
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _log = new();

    private CaddyProxy(Process process, TempDirectory storage, Uri address)
    {
        _process = process;
        _storage = storage;
        Address = address;
    }

    public Uri Address { get; }

    public string Log => string.Join('\n', _log);

    public static async Task<CaddyProxy> StartAsync(IEnumerable<Uri> upstreams)
    {
        var storage = new TempDirectory("caddy");
        var httpsPort = FreePorts.Next();
        var info = new ProcessStartInfo("caddy") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in new[] { "run", "--config", Repository.PathOf("deploy", "compose", "Caddyfile"), "--adapter", "caddyfile" })
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["HOME"] = storage.Path;
        info.Environment["XDG_DATA_HOME"] = storage.Path;
        info.Environment["XDG_CONFIG_HOME"] = storage.Path;
        info.Environment["ORBIT_SITE"] = "127.0.0.1";
        info.Environment["ORBIT_HTTPS_PORT"] = httpsPort.ToString();
        info.Environment["ORBIT_HTTP_PORT"] = FreePorts.Next().ToString();
        info.Environment["ORBIT_UPSTREAMS"] = string.Join(' ', upstreams.Select(u => u.Authority));
        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            storage.Dispose();
            throw new InvalidOperationException("Caddy is not installed (apt-get install caddy; .ci/run does).", ex);
        }

        var proxy = new CaddyProxy(process, storage, new Uri($"https://127.0.0.1:{httpsPort}"));
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) proxy._log.Enqueue(e.Data); };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) proxy._log.Enqueue(e.Data); };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        using var http = proxy.CreateClient();
        string? lastError = null;
        try
        {
            await Eventually.TrueAsync(async () =>
            {
                Assert.False(process.HasExited, $"caddy exited: {proxy.Log}");
                try
                {
                    using var response = await http.GetAsync("/healthz");
                    lastError = response.StatusCode.ToString();
                    return response.IsSuccessStatusCode;
                }
                catch (HttpRequestException ex)
                {
                    lastError = ex.InnerException?.Message ?? ex.Message;
                    return false;
                }
            }, "the proxy answers over TLS", TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            await proxy.DisposeAsync();
            throw new TimeoutException($"The proxy did not answer over TLS ({lastError}):\n{proxy.Log}");
        }

        return proxy;
    }

    /// <summary>Accepts the server's certificate only if it chains to this Caddy's own development root.</summary>
    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        var authority = Path.Combine(_storage.Path, "caddy", "pki", "authorities", "local");
        if (certificate is null || !File.Exists(Path.Combine(authority, "root.crt")))
        {
            return false;
        }

        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        custom.ChainPolicy.CustomTrustStore.Add(X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(authority, "root.crt"))));
        custom.ChainPolicy.ExtraStore.Add(X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(authority, "intermediate.crt"))));

        return custom.Build(new X509Certificate2(certificate));
    }

    public HttpClient CreateClient() => new(new SocketsHttpHandler
    {
        SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = Validate },
    })
    { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(30) };

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        _storage.Dispose();
    }
}
