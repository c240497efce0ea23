using System.Net;
using OrbitGrains.Hosting;

namespace OrbitGrains.WebFrontend.Hardening;

/// <summary>
/// The console is reachable from this machine only unless the operator opts in: any listening address that is
/// not loopback is refused at start-up without server.allow_external_bind.
/// </summary>
public static class BindingGuard
{
    public static void Check(IEnumerable<string> urls, bool allowExternalBind)
    {
        if (allowExternalBind)
        {
            return;
        }

        foreach (var url in urls)
        {
            var host = HostOf(url);
            if (!IsLoopback(host))
            {
                throw new OrbitConfigurationException(
                    $"Refusing to listen on '{url}': '{host}' is not a loopback address. Set server.allow_external_bind: true in " +
                    "the operator configuration (or OPERATOR__server__allow_external_bind=true) to accept connections from other machines.");
            }
        }
    }

    public static bool IsLoopback(string host)
    {
        host = host.Trim().TrimStart('[').TrimEnd(']');
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address);
    }

    private static string HostOf(string url)
    {
        // Kestrel accepts wildcard hosts (*, +) that Uri cannot parse; they bind every interface.
        var rest = url.Contains("://", StringComparison.Ordinal) ? url[(url.IndexOf("://", StringComparison.Ordinal) + 3)..] : url;
        if (rest.StartsWith('['))
        {
            var close = rest.IndexOf(']');
            return close > 0 ? rest[..(close + 1)] : rest;
        }

        var end = rest.IndexOfAny([':', '/']);
        return end >= 0 ? rest[..end] : rest;
    }
}
